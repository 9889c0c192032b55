"""The catalog page costs the same number of SQL queries whatever the catalog's size."""
from tests import factories as f
from app.extensions import db


def add_products(world, count, start=0):
    for number in range(start, start + count):
        product = f.make_product(world.category, name=f"Bulk {number:04d}")
        plan = f.make_plan(product, distributor=world.distributor, marketplace=world.us, terms=(("monthly", 1), ("annual", 12)))
        f.add_plan_resource(plan, world.seats, distributor=world.distributor, marketplace=world.us)
    db.session.commit()


def queries_for(client, count_queries, url):
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_catalog_page_makes_as_many_queries_with_1000_products_as_with_10(app, client, auth, world, count_queries):
    auth.login("admin@customer-a.test")
    add_products(world, 9)  # 10 with the world's own product
    small = {url: queries_for(client, count_queries, url) for url in ("/catalog/", "/", "/catalog/?q=bulk")}
    add_products(world, 990, start=9)
    large = {url: queries_for(client, count_queries, url) for url in ("/catalog/", "/", "/catalog/?q=bulk")}
    assert large == small
    assert small["/catalog/"] <= 17  # 16 + the navbar's cart count

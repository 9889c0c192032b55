"""The storefront cache (app.catalog.cache): cached pages cost no query, every catalog or price
write shows on the next page, and without Redis the pages are built from the database."""
import logging
import re
from dataclasses import fields

from sqlalchemy import select, update

from app.catalog import cache
from app.catalog.models import Marketplace, PlanTermPrice, Product
from app.catalog.reference import MarketplaceInfo
from app.extensions import db
from tests import factories as f

STOREFRONT = ("/", "/catalog/", "/catalog/?q=sync", "/products/sync-tool", "/products/sync-tool?audience=reseller&term=annual")


def customer_plan_prices(world) -> list[PlanTermPrice]:
    term_ids = [term.id for term in world.customer_plan.terms]
    return db.session.scalars(select(PlanTermPrice).where(PlanTermPrice.plan_term_id.in_(term_ids))).all()


def queries_for(client, count_queries, url) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_an_anonymous_visitor_s_pages_make_no_query_once_cached(client, world, count_queries):
    # Given each storefront page seen once
    for url in STOREFRONT:
        client.get(url)
    # When they are seen again, Then not one query
    assert {url: queries_for(client, count_queries, url) for url in STOREFRONT} == {url: 0 for url in STOREFRONT}


def test_a_signed_in_visitor_s_pages_make_one_query_once_cached(client, auth, world, count_queries):
    auth.login("admin@customer-a.test")
    for url in STOREFRONT:
        client.get(url)
    # the user, its organisation, the organisation's parent and the cart count, together
    assert {url: queries_for(client, count_queries, url) for url in STOREFRONT} == {url: 1 for url in STOREFRONT}


def test_a_price_change_shows_on_the_next_page(client, world):
    # Given the catalog and the product page seen (and cached) at $10.00
    assert "$10.00" in client.get("/catalog/").get_data(as_text=True)
    assert "$10.00" in client.get("/products/sync-tool?audience=customer").get_data(as_text=True)
    # When the distributor raises the MSRP of each term by a quarter through the ORM
    for price in customer_plan_prices(world):
        price.msrp = price.msrp * 5 // 4
    db.session.commit()
    # Then both pages show the new price at once
    assert "$12.50" in client.get("/catalog/").get_data(as_text=True)
    assert "$12.50" in client.get("/products/sync-tool?audience=customer").get_data(as_text=True)


def test_a_bulk_update_of_catalog_rows_shows_on_the_next_page(client, world):
    client.get("/catalog/")
    db.session.execute(update(Product).where(Product.id == world.product.id).values(name="Sync Tool Pro"))
    db.session.commit()
    assert "Sync Tool Pro" in client.get("/catalog/").get_data(as_text=True)


def test_an_uncommitted_change_is_not_cached_as_current(client, world):
    # Given a price changed in a transaction that is rolled back
    client.get("/catalog/")
    for price in customer_plan_prices(world):
        price.msrp = 1999 * price.plan_term.billing_frequency_months
    db.session.flush()
    db.session.rollback()
    # Then the page still shows the committed price
    page = client.get("/catalog/").get_data(as_text=True)
    assert "$10.00" in page and "$19.99" not in page


def test_a_request_with_uncommitted_catalog_changes_neither_reads_nor_fills_the_cache(fresh_app, world):
    # Given the catalog cached, and a request that changes a price, shows the catalog, then fails
    app = fresh_app()
    client = app.test_client()

    def change_then_show():
        for price in customer_plan_prices(world):
            price.msrp = 1999 * price.plan_term.billing_frequency_months
        db.session.flush()
        page = app.view_functions["catalog.browse"]()
        db.session.rollback()
        return page

    app.add_url_rule("/dummy/change-then-show", "dummy_change_then_show", change_then_show)
    client.get("/catalog/")
    # Then that request saw its own change, and the next page only the committed price
    assert "$19.99" in client.get("/dummy/change-then-show").get_data(as_text=True)
    page = client.get("/catalog/").get_data(as_text=True)
    assert "$10.00" in page and "$19.99" not in page


def test_a_new_region_shows_in_the_region_picker(client, world):
    client.get("/")
    f.make_marketplace("UK", "GBP", tax_rate_bp=2000, locale="en_GB", country="GB")
    db.session.commit()
    assert re.search(r'<option value="UK"', client.get("/").get_data(as_text=True))


def test_each_viewer_sees_its_own_prices_from_the_cache(client, auth, world):
    # Given the anonymous catalog cached with retail prices
    assert "$10.00" in client.get("/catalog/").get_data(as_text=True)
    # When a reseller looks at the same page, Then its cost, not the cached retail page
    auth.login("admin@reseller.test")
    page = client.get("/catalog/").get_data(as_text=True)
    assert "$8.00" in page and "Your reseller cost" in page


def test_pages_are_built_from_the_database_when_redis_is_down(fresh_app, world, caplog, monkeypatch):
    client = fresh_app(REDIS_URL="redis://127.0.0.1:1/0").test_client()
    monkeypatch.setattr(logging.getLogger("app.catalog.cache"), "disabled", False)  # the migrations' logging set-up disables it
    monkeypatch.setattr(cache._redis, "down_until", {})  # other tests may have met this closed port within the last seconds
    with caplog.at_level(logging.WARNING, logger="app.catalog.cache"):
        pages = [client.get(url) for url in STOREFRONT * 2]
    assert [page.status_code for page in pages] == [200] * len(pages)
    assert "$10.00" in pages[1].get_data(as_text=True)
    assert len([r for r in caplog.records if "storefront cache off" in r.getMessage()]) == 1  # logged once


def test_a_cached_product_page_carries_each_visitor_s_own_csrf_token(fresh_app, world):
    application = fresh_app(csrf=True)
    first, second = application.test_client(), application.test_client()
    tokens = []
    for client in (first, second):
        page = client.get("/products/sync-tool?audience=customer").get_data(as_text=True)
        tokens.append(re.search(r'action="/cart/add".*?name="csrf_token" value="([^"]+)"', page, re.S).group(1))
    assert tokens[0] != tokens[1]
    term = next(t for t in world.customer_plan.terms if t.code == "monthly")
    response = second.post("/cart/add", data={"csrf_token": tokens[1], "plan_term_id": term.id})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")


def test_marketplace_snapshots_have_every_column_of_the_row():
    assert [field.name for field in fields(MarketplaceInfo)] == [column.key for column in Marketplace.__table__.columns]

"""What each kind of visitor sees in the storefront, and the 404s of unknown things."""
import re

import pytest

from app.extensions import db
from tests import factories as f


def prices_of(html: str) -> list[str]:
    return re.findall(r'data-plan="([^"]+)">([^<]+)<', html)


def test_anonymous_visitor_sees_retail_prices_of_both_audiences(client, world):
    page = client.get("/products/sync-tool?audience=reseller").get_data(as_text=True)
    assert prices_of(page) == [("for-resellers", "$20.00")]
    assert "For customers" in page and "Retail price (MSRP)" in page
    page = client.get("/products/sync-tool?audience=customer").get_data(as_text=True)
    assert prices_of(page) == [("for-customers", "$10.00")]


def test_reseller_sees_its_cost(client, auth, world):
    auth.login("admin@reseller.test")
    page = client.get("/products/sync-tool?audience=reseller").get_data(as_text=True)
    assert prices_of(page) == [("for-resellers", "$16.00")]
    assert "Your reseller cost" in page
    # add-ons at cost too: extra seat and the one-time QuickStart
    assert "$2.00" in page and "$200.00" in page


def test_customer_sees_its_resellers_price_and_only_customer_plans(client, auth, world):
    monthly = next(t for t in world.customer_plan.terms if t.code == "monthly")
    f.set_reseller_price(world.reseller, world.us, monthly, markup_bp=2000)
    db.session.commit()
    auth.login("admin@customer-a.test")
    page = client.get("/products/sync-tool?audience=reseller").get_data(as_text=True)
    assert prices_of(page) == [("for-customers", "$9.60")]
    assert "For resellers" not in page
    # the other reseller's customer sees retail
    auth.logout()
    auth.login("admin@customer-z.test")
    assert prices_of(client.get("/products/sync-tool").get_data(as_text=True)) == [("for-customers", "$10.00")]


def test_term_picker_shows_the_annual_price(client, world):
    page = client.get("/products/sync-tool?audience=customer&term=annual").get_data(as_text=True)
    assert prices_of(page) == [("for-customers", "$120.00")]
    assert "per year" in page


def test_catalog_card_shows_the_cheapest_monthly_price_for_the_viewer(client, auth, world):
    assert "$10.00" in client.get("/catalog/").get_data(as_text=True)
    auth.login("admin@reseller.test")
    assert "$8.00" in client.get("/catalog/").get_data(as_text=True)


def test_unpublished_products_are_not_shown(client, world):
    hidden = f.make_product(world.category, name="Secret Beta", published=False)
    f.make_plan(hidden, distributor=world.distributor, marketplace=world.us)
    db.session.commit()
    assert "Secret Beta" not in client.get("/catalog/").get_data(as_text=True)
    assert "Secret Beta" not in client.get("/catalog/?q=secret").get_data(as_text=True)
    assert client.get("/products/secret-beta").status_code == 404


def test_products_without_a_price_in_the_region_are_not_listed(client, world):
    f.make_marketplace("UK", "GBP", tax_rate_bp=2000, locale="en_GB", country="GB")
    db.session.commit()
    client.post("/region", data={"region": "UK"})
    page = client.get("/catalog/").get_data(as_text=True)
    assert "Sync Tool" not in page and "0 products" in page
    assert "This product has no plans for customers in UK" in client.get("/products/sync-tool").get_data(as_text=True)


def test_region_is_remembered_and_formats_money(client, world):
    eu = f.make_marketplace("EU", "EUR", tax_rate_bp=1900, locale="de_DE", country="DE", tax_region="EU")
    product = f.make_product(world.category, name="Euro Tool")
    f.make_plan(product, distributor=world.distributor, marketplace=eu, cost=80000, msrp=123456)
    db.session.commit()
    response = client.post("/region", data={"region": "eu", "next": "/catalog/"})
    assert response.status_code == 302 and response.headers["Location"] == "/catalog/"
    page = client.get("/catalog/").get_data(as_text=True)
    assert "1.234,56\xa0€" in page and "Sync Tool" not in page


def test_search_by_name_and_category_navigation(client, world):
    child = f.make_category("Backup", parent=world.category)
    other = f.make_product(child, name="Vault Backup")
    f.make_plan(other, distributor=world.distributor, marketplace=world.us)
    db.session.commit()
    assert "Vault Backup" in client.get("/catalog/?q=VAULT").get_data(as_text=True)
    assert "Sync Tool" not in client.get("/catalog/?q=vault").get_data(as_text=True)
    # a parent category lists its children's products
    page = client.get("/catalog/cloud/").get_data(as_text=True)
    assert "Vault Backup" in page and "Sync Tool" in page
    page = client.get("/catalog/backup/").get_data(as_text=True)
    assert "Vault Backup" in page and "Sync Tool" not in page
    # LIKE wildcards are searched literally
    assert "0 products" in client.get("/catalog/?q=%25").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/products/no-such-product", "/catalog/no-such-category/", "/no/such/page"])
def test_unknown_things_answer_a_404_page_in_the_layout(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "Cloud Marketplace" in page and "Traceback" not in page


def test_unknown_region_is_a_400_with_a_message_and_changes_nothing(client, world):
    response = client.post("/region", data={"region": "XX"})
    assert response.status_code == 400
    assert "Choose one of the listed regions" in response.get_data(as_text=True)
    assert "Prices in USD" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "page=99999999999", "audience=<b>", "term=%00", "q=" + "x" * 5000])
def test_bad_query_parameters_are_ignored(client, world, query):
    for path in ("/catalog/", "/products/sync-tool"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, query)
        assert "<b>" not in response.get_data(as_text=True).split("</header>")[1]


def test_region_redirect_refuses_other_hosts(client, world):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post("/region", data={"region": "US", "next": target})
        assert response.headers["Location"] == "/"


def test_card_price_is_the_cheapest_minimum_order_per_month(client, world):
    # a postpaid-style plan: nothing up front but at least three users at $35
    product = f.make_product(world.category, name="Desk Cloud")
    plan = f.make_plan(product, distributor=world.distributor, marketplace=world.us, cost=0, msrp=0, terms=(("monthly", 1), ("annual", 12)))
    f.add_plan_resource(plan, world.seats, distributor=world.distributor, marketplace=world.us, included=0, minimum=3, maximum=50, cost=3000, msrp=3500)
    # a free plan elsewhere
    free = f.make_product(world.category, name="Free Thing")
    f.make_plan(free, distributor=world.distributor, marketplace=world.us, cost=0, msrp=0)
    db.session.commit()
    page = client.get("/catalog/").get_data(as_text=True)
    desk = page[page.index("Desk Cloud"):]
    assert "$105.00" in desk[:600] and "per month" in desk[:600]
    free_card = page[page.index("Free Thing"):]
    assert "Free</span> <span class=\"small text-body-secondary\">plan available" in free_card[:600]


def test_a_product_with_only_reseller_plans_is_not_listed_for_a_resellers_customer(client, auth, world):
    # given a product sold only to resellers
    program = f.make_product(world.category, name="Partner Program Kit")
    f.make_plan(program, distributor=world.distributor, marketplace=world.us, audience="reseller")
    db.session.commit()
    # then visitors and resellers find it, at a price
    assert "Partner Program Kit" in client.get("/catalog/").get_data(as_text=True)
    auth.login("admin@reseller.test")
    assert "Partner Program Kit" in client.get("/catalog/?q=partner").get_data(as_text=True)
    auth.logout()
    # and a reseller's customer, who may buy only customer plans, is not shown it (nor counted)
    auth.login("admin@customer-a.test")
    listing = client.get("/catalog/?q=partner").get_data(as_text=True)
    assert "Partner Program Kit" not in listing and "0 products" in listing
    assert "Sync Tool" in client.get("/catalog/").get_data(as_text=True)

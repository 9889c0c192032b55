"""The storefront lists what its viewer may buy (app.catalog.eligibility), the same rule the
checkout applies: per kind of viewer, on the main storefront and on a reseller's branded one;
the storefront cache never serves one kind's page to another; a reseller whose reselling is
switched off is shown the customers' catalog on its next request."""
import re

import pytest

from app.catalog import cache
from app.extensions import db
from tests import factories as f
from tests.factories import PASSWORD

KIT = "Partner Program Kit"
SERVICES = "Reseller services"


@pytest.fixture
def shop(world):
    """Beside the world: a product with only a reseller plan in its own category, a reseller
    whose reselling is off, a direct customer of the distributor, and reseller one's storefront."""
    services = f.make_category(SERVICES)
    kit = f.make_product(services, name=KIT)
    f.make_plan(kit, distributor=world.distributor, marketplace=world.us, audience="reseller", cost=4000, msrp=5000,
                code="kit-plan")
    reselling_off = f.make_reseller(world.distributor, name="Reseller Off", marketplace=world.us, reselling_enabled=False)
    f.make_user(reselling_off, "admin@reselling-off.test")
    direct = f.make_customer(world.distributor, name="Direct Co", marketplace=world.us)
    f.make_user(direct, "admin@direct.test")
    storefront = f.make_storefront(world.reseller, slug="one")
    db.session.commit()
    return storefront


# e-mail of the viewer (None: anonymous) -> whether it may buy reseller plans
VIEWERS = {
    None: True,
    "admin@reseller.test": True,
    "admin@reselling-off.test": False,
    "admin@direct.test": False,
    "admin@customer-a.test": False,
}


def sign_in(client, email):
    if email is not None:
        response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, email


def category_links(html: str) -> list[str]:
    return re.findall(r'href="[^"]*/catalog/([a-z-]+)/"', html)


@pytest.mark.parametrize("email", VIEWERS)
def test_the_main_storefront_lists_reseller_products_and_their_category_only_to_who_may_buy_them(app, world, shop, email):
    client = app.test_client()
    sign_in(client, email)
    listing = client.get("/catalog/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    searched = client.get("/catalog/?q=partner").get_data(as_text=True)

    may_buy = VIEWERS[email]
    assert (KIT in listing, KIT in home, KIT in searched) == (may_buy, may_buy, may_buy)
    assert ("1 product" if may_buy else "0 products") in searched
    assert "Sync Tool" in listing
    expected = ["cloud", "reseller-services"] if may_buy else ["cloud"]
    assert sorted(set(category_links(listing))) == expected and sorted(set(category_links(home))) == expected


@pytest.mark.parametrize("email", VIEWERS)
def test_the_branded_storefront_lists_customer_products_only_to_everyone(app, world, shop, email):
    client = app.test_client()
    sign_in(client, email)
    listing = client.get("/s/one/catalog/").get_data(as_text=True)
    home = client.get("/s/one/").get_data(as_text=True)

    assert KIT not in listing and KIT not in home and SERVICES not in listing
    assert "Sync Tool" in listing and "Sync Tool" in home
    assert sorted(set(category_links(listing))) == ["cloud"]


@pytest.mark.parametrize("email", VIEWERS)
def test_the_product_page_offers_reseller_plans_only_to_who_may_buy_them(app, world, shop, email):
    client = app.test_client()
    sign_in(client, email)
    both = client.get("/products/sync-tool?audience=reseller").get_data(as_text=True)
    kit = client.get("/products/partner-program-kit").get_data(as_text=True)

    if VIEWERS[email]:
        assert 'data-audience-tab="reseller"' in both and 'data-plan="for-resellers"' in both
        assert 'data-plan="kit-plan"' in kit and 'action="/cart/add"' in kit
    else:
        assert 'data-audience-tab="reseller"' not in both and 'data-plan="for-resellers"' not in both
        assert 'data-plan="for-customers"' in both and 'action="/cart/add"' in both
        assert 'data-plan="kit-plan"' not in kit and 'action="/cart/add"' not in kit
        assert f"{KIT} is for resellers' own use" in kit


def test_an_anonymous_visitor_is_told_reseller_plans_are_for_resellers(client, world, shop):
    page = client.get("/products/sync-tool?audience=reseller").get_data(as_text=True)
    assert "data-reseller-plans-note" in page and 'action="/cart/add"' in page
    assert "data-reseller-plans-note" not in client.get("/products/sync-tool?audience=customer").get_data(as_text=True)


def test_distributor_staff_see_every_plan_with_no_buy_button(client, auth, world, shop):
    auth.login("staff@dist.test")
    listing = client.get("/catalog/").get_data(as_text=True)
    page = client.get("/products/sync-tool?audience=reseller").get_data(as_text=True)

    assert KIT in listing and SERVICES in listing
    assert 'data-audience-tab="reseller"' in page and 'data-audience-tab="customer"' in page
    assert 'action="/cart/add"' not in page and "the distributor does not buy from its own marketplace" in page


@pytest.mark.parametrize("first, then", [(None, "admin@direct.test"), ("admin@direct.test", None),
                                         (None, "admin@reselling-off.test"), ("admin@reselling-off.test", None),
                                         (None, "staff@dist.test"), ("staff@dist.test", None)])
def test_viewers_at_retail_prices_never_share_a_cached_page(app, world, shop, first, then):
    # Given every storefront page cached for one viewer at retail prices
    cache.bump_catalog_version()
    urls = ("/", "/catalog/", "/catalog/?q=partner", "/products/sync-tool?audience=reseller", "/products/partner-program-kit")
    pages = {}
    for email in (first, then):
        client = app.test_client()
        sign_in(client, email)
        pages[email] = {url: client.get(url).get_data(as_text=True) for url in urls}
    # Then the other viewer at retail prices is served its own pages
    for email in (first, then):
        shown = pages[email]
        may_buy_resellers = email != "admin@direct.test" and email != "admin@reselling-off.test"
        assert (KIT in shown["/"], KIT in shown["/catalog/"], KIT in shown["/catalog/?q=partner"]) == (may_buy_resellers,) * 3
        assert ('data-plan="for-resellers"' in shown["/products/sync-tool?audience=reseller"]) == may_buy_resellers
        assert ('action="/cart/add"' in shown["/products/partner-program-kit"]) == (email is None)


def test_a_reseller_whose_reselling_is_switched_off_sees_the_customers_catalog_on_its_next_request(app, world, shop):
    reseller_client, staff_client = app.test_client(), app.test_client()
    sign_in(reseller_client, "admin@reseller.test")
    sign_in(staff_client, "staff@dist.test")
    # Given the reseller's pages seen, so its signed-in snapshot and its pages are cached
    for _ in range(2):
        listing = reseller_client.get("/catalog/").get_data(as_text=True)
        product = reseller_client.get("/products/sync-tool?audience=reseller").get_data(as_text=True)
    assert KIT in listing and 'data-plan="for-resellers"' in product and "Your reseller cost" in listing

    # When the distributor switches its reselling off
    assert staff_client.post(f"/staff/organisations/{world.reseller.id}/reselling", data={"enabled": "0"}).status_code == 302

    # Then its very next pages are the customers' catalog, at retail
    listing = reseller_client.get("/catalog/").get_data(as_text=True)
    product = reseller_client.get("/products/sync-tool?audience=reseller").get_data(as_text=True)
    assert KIT not in listing and SERVICES not in listing and "Retail price (MSRP)" in listing
    assert 'data-plan="for-resellers"' not in product and 'data-plan="for-customers"' in product
    # and its customer, whose seller no longer resells, too
    customer_client = app.test_client()
    sign_in(customer_client, "admin@customer-a.test")
    assert KIT not in customer_client.get("/catalog/").get_data(as_text=True)

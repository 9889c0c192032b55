"""A reseller's white-label storefront: its pages at that reseller's customer prices, its
branding, sign-up as its customer (Standard) or by invitation (Free), buying, and 404 when off."""
import pytest
from sqlalchemy import select

from app.accounts.activity import ActivityEntry
from app.accounts.models import Organisation, Storefront, User
from app.extensions import db
from app.orders.models import Order
from tests import factories as f
from tests.factories import make_billing_info, make_storefront, set_reseller_price
from tests.integration.checkout.helpers import add_to_cart, open_checkout, place_order, term_of
from tests.integration.onboarding.helpers import SIGN_UP, link_path, messages

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def shop(world):
    """world.reseller's open Standard storefront; its customers pay 9.50 a month for the customer plan (cost 8.00, MSRP 10.00)."""
    set_reseller_price(world.reseller, world.us, term_of(world.customer_plan), amount=950)
    storefront = make_storefront(world.reseller, slug="reseller-one", display_name="Reseller One Cloud",
                                 contact_email="hello@reseller-one.example", primary_colour="#0b5ed7", accent_colour="#3d1a78")
    db.session.commit()
    return storefront


def test_the_storefront_shows_the_customer_plans_at_the_resellers_prices(client, world, shop):
    home = client.get("/s/reseller-one/").get_data(as_text=True)
    product = client.get(f"/s/reseller-one/products/{world.product.slug}").get_data(as_text=True)
    main = client.get(f"/products/{world.product.slug}").get_data(as_text=True)

    assert "Reseller One Cloud" in home and "hello@reseller-one.example" in home
    assert f'href="/s/reseller-one/products/{world.product.slug}"' in home
    assert "$9.50" in product and "$10.00" not in product
    assert "for-resellers" not in product  # a reseller's customers buy customer plans only
    assert 'href="/s/reseller-one/theme.css' in product
    assert "$10.00" in main  # the marketplace's own page keeps the MSRP for an anonymous visitor


def test_the_theme_carries_the_validated_colours(client, shop):
    response = client.get("/s/reseller-one/theme.css")

    assert response.mimetype == "text/css"
    assert "--wl-primary: #0b5ed7; --wl-accent: #3d1a78;" in response.get_data(as_text=True)


@pytest.mark.parametrize("change", [{"storefront_enabled": False}, {"reselling_enabled": False}])
def test_a_storefront_that_is_off_is_not_found(client, world, shop, change):
    organisation = db.session.get(Organisation, world.reseller.id)
    for key, value in change.items():
        setattr(organisation, key, value)
    db.session.commit()

    answers = [client.get(path).status_code for path in ("/s/reseller-one/", f"/s/reseller-one/products/{world.product.slug}",
                                                         "/s/reseller-one/sign-up", "/s/reseller-one/theme.css")]

    assert answers == [404, 404, 404, 404]


def test_an_unknown_storefront_is_not_found(client, shop):
    assert client.get("/s/nobody/").status_code == 404


def test_a_visitor_signs_up_as_the_resellers_customer_and_buys_at_its_prices(client, world, shop):
    # given a visitor signing up on the reseller's storefront
    response = client.post("/s/reseller-one/sign-up", data={**SIGN_UP, "email": "buyer@acme.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/s/reseller-one/"
    user = db.session.scalar(select(User).where(User.email == "buyer@acme.example"))
    assert (user.organisation.kind, user.organisation.parent_id) == ("customer", world.reseller.id)
    # with the visitor as its contact, and the reseller's log showing the new customer
    customer = user.organisation
    assert (customer.contact_email, customer.billing_contact_email) == ("buyer@acme.example",) * 2
    assert customer.contact_name == customer.billing_contact_name == user.name and customer.created_at is not None
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.organisation_id == world.reseller.id,
                                                          ActivityEntry.action == "customer.created"))
    assert entry.summary == f"Customer account {customer.name} opened by sign-up (buyer@acme.example)"
    # who confirms the address and gives billing details (and on-account credit, as staff would)
    [message] = messages("email_verification", "buyer@acme.example")
    client.get(link_path(message))
    make_billing_info(user.organisation)
    user.organisation.credit_limit = 100_000
    db.session.commit()
    # when they buy the customer plan
    add_to_cart(client, term_of(world.customer_plan), seats=5)
    page = open_checkout(client)
    placed = place_order(client, page)
    # then the order is theirs, sold by the reseller at the reseller's price
    assert placed.status_code in (302, 303)
    order = db.session.scalar(select(Order).where(Order.buyer_id == user.organisation_id))
    assert order.subtotal == 950 and order.total == 1045
    (line,) = order.lines
    assert (line.cost_subtotal, line.resale_subtotal) == (800, 950)
    assert db.session.get(Organisation, order.buyer_id).parent_id == world.reseller.id


def test_a_free_storefront_opens_accounts_by_invitation_only(client, world, shop):
    db.session.get(Storefront, shop.id).edition = "free"
    db.session.commit()

    page = client.get("/s/reseller-one/sign-up")
    posted = client.post("/s/reseller-one/sign-up", data={**SIGN_UP, "email": "free@acme.example"})

    assert page.status_code == posted.status_code == 403
    assert "opens accounts by invitation" in page.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "free@acme.example")) is None


def test_the_standard_storefront_answers_on_its_own_domain(client, world, shop):
    db.session.get(Storefront, shop.id).custom_domain = "shop.reseller-one.example"
    db.session.commit()

    own = client.get("/", headers={"Host": "Shop.Reseller-One.example:8443"}).get_data(as_text=True)
    other = client.get("/", headers={"Host": "other.example"}).get_data(as_text=True)
    marketplace = client.get("/").get_data(as_text=True)

    assert "Reseller One Cloud" in own and "$9.50" in own
    assert "Reseller One Cloud" not in other and "Reseller One Cloud" not in marketplace


def test_a_free_storefront_is_never_served_on_a_domain(client, shop):
    storefront = db.session.get(Storefront, shop.id)
    storefront.custom_domain, storefront.edition = "shop.reseller-one.example", "free"
    db.session.commit()

    assert "Reseller One Cloud" not in client.get("/", headers={"Host": "shop.reseller-one.example"}).get_data(as_text=True)


def _settings(client, **changes):
    data = {"display_name": "Reseller One Cloud", "tagline": "", "contact_email": "hello@reseller-one.example", "contact_phone": "+1 555 0100",
            "primary_colour": "#0b5ed7", "accent_colour": "#3d1a78", "custom_domain": "", **changes}
    return client.post("/reseller/storefront", data=data, content_type="multipart/form-data")


def test_the_reseller_brands_its_storefront_with_a_logo(client, auth, world, shop):
    from io import BytesIO

    auth.login("admin@reseller.test")

    response = _settings(client, tagline="Cloud for builders", custom_domain="Shop.Example.COM", logo=(BytesIO(PNG), "logo.png"))

    assert response.status_code == 302
    logo = client.get("/s/reseller-one/logo")
    assert (logo.status_code, logo.mimetype, logo.headers["X-Content-Type-Options"]) == (200, "image/png", "nosniff")
    assert logo.data == PNG
    storefront = db.session.get(Storefront, shop.id)
    db.session.refresh(storefront)
    assert (storefront.tagline, storefront.custom_domain) == ("Cloud for builders", "shop.example.com")


@pytest.mark.parametrize("changes, message", [
    ({"primary_colour": "#ffff00"}, "hard to read"),
    ({"accent_colour": "red; background:url(x)"}, "enter a colour as #rrggbb"),
    ({"custom_domain": "https://shop.example.com/"}, "domain name only"),
    ({"custom_domain": "127.0.0.1"}, "valid domain name"),
    ({"custom_domain": "localhost"}, "valid domain name"),
    ({"contact_email": "not-an-address"}, "valid address"),
])
def test_bad_storefront_settings_are_refused_and_change_nothing(client, auth, world, shop, changes, message):
    auth.login("admin@reseller.test")

    response = _settings(client, display_name="Changed", **changes)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Storefront, shop.id).display_name == "Reseller One Cloud"


@pytest.mark.parametrize("content", [b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a" + b"\0" * 20, PNG + b"\0" * (512 * 1024)])
def test_a_logo_that_is_not_a_small_png_jpeg_or_webp_is_refused(client, auth, world, shop, content):
    from io import BytesIO

    auth.login("admin@reseller.test")

    response = _settings(client, logo=(BytesIO(content), "logo.png"))

    assert response.status_code == 422
    assert client.get("/s/reseller-one/logo").status_code == 404


def test_a_custom_domain_needs_the_standard_plan(client, auth, world, shop):
    db.session.get(Storefront, shop.id).edition = "free"
    db.session.commit()
    auth.login("admin@reseller.test")

    response = _settings(client, custom_domain="shop.example.com")

    assert response.status_code == 422 and "comes with the Storefront Standard plan" in response.get_data(as_text=True)


def test_members_may_look_at_the_settings_but_not_change_them(client, auth, world, shop):
    auth.login("member@reseller.test")

    assert client.get("/reseller/storefront").status_code == 200
    assert _settings(client, display_name="Changed").status_code == 403


def test_a_colour_edited_by_hand_never_reaches_the_stylesheet(client, shop):
    db.session.get(Storefront, shop.id).primary_colour = "red;}"
    db.session.commit()

    css = client.get("/s/reseller-one/theme.css").get_data(as_text=True)

    assert "red;}" not in css and "--wl-primary: #0d6efd;" in css


def test_the_storefront_lists_only_products_its_customers_may_buy(client, world, shop):
    kit = f.make_product(world.category, name="Partner Program Kit")
    f.make_plan(kit, distributor=world.distributor, marketplace=world.us, audience="reseller")
    db.session.commit()
    assert "Partner Program Kit" not in client.get("/s/reseller-one/catalog/?q=partner").get_data(as_text=True)
    assert world.product.name in client.get("/s/reseller-one/").get_data(as_text=True)

"""The product page's running total (app.catalog.totals): served at the form's starting
quantities for each viewer's prices (through the storefront cache), with the data the script
needs to follow the quantities, and the same amount as the cart's quote for what is submitted.
Also: plan cards by number, and the site's icon."""
import re

from sqlalchemy import select

from app.cart.models import CartLine
from app.catalog.queries import product_offers
from app.catalog.pricing import viewer_for
from app.catalog.totals import plan_total, starting_quantities
from app.extensions import db
from tests import factories as f

TOTAL = re.compile(r'data-total-per-period>([^<]+)<')
ONCE = re.compile(r'data-total-once>([^<]+)<')


def _customer_offer(world, organisation=None):
    return product_offers(world.product, world.us, viewer_for(organisation), None)["customer"][0]


def test_plan_total_is_the_term_price_plus_add_ons_above_what_is_included(world):
    offer = _customer_offer(world)  # MSRP: $10.00 a month with 5 seats included; $3.00 a seat; QuickStart $250.00

    assert starting_quantities(offer) == {"seats": 5, "quickstart": 0}
    assert (plan_total(offer).per_period.amount, plan_total(offer).once.amount) == (1000, 0)
    total = plan_total(offer, {"seats": 8, "quickstart": 1})
    assert (total.per_period.amount, total.once.amount, total.per_period.currency) == (1900, 25_000, "USD")
    assert plan_total(offer, {"seats": 2}).per_period.amount == 1000  # never below what the plan includes


def test_the_page_shows_each_viewers_total_with_the_data_to_follow_quantities(client, auth, world):
    anonymous = client.get("/products/sync-tool?audience=customer").get_data(as_text=True)
    auth.login("admin@reseller.test")
    reseller = client.get("/products/sync-tool?audience=customer").get_data(as_text=True)

    assert TOTAL.findall(anonymous) == ["$10.00"] and TOTAL.findall(reseller) == ["$8.00"]  # MSRP, then cost
    assert ONCE.findall(anonymous) == ["$0.00"]
    assert 'data-price="1000" data-currency="USD" data-locale="en_US"' in anonymous
    assert 'data-unit-price="300" data-included="5" data-one-time="0"' in anonymous
    assert 'data-unit-price="25000" data-included="0" data-one-time="1"' in anonymous
    assert 'data-unit-price="200" data-included="5" data-one-time="0"' in reseller


def test_the_script_is_a_static_file_and_the_page_has_no_inline_script(client, world):
    page = client.get("/products/sync-tool").get_data(as_text=True)

    assert '<script src="/static/js/plan-total.js' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert b"data-total-per-period" in client.get("/static/js/plan-total.js").data


def test_without_script_the_cart_charges_the_total_of_the_submitted_quantities(client, auth, world):
    # Given the card's form as served, submitted with other quantities (no script ran)
    auth.login("admin@customer-a.test")
    term = next(term for term in world.customer_plan.terms if term.code == "monthly")
    client.post("/cart/add", data={"plan_term_id": term.id, "qty-seats": "8", "qty-quickstart": "1"})
    # Then the cart line costs what plan_total says for them
    line = db.session.scalar(select(CartLine))
    assert line.quantities == {"seats": 8, "quickstart": 1}
    cart = client.get("/cart").get_data(as_text=True)
    subtotal = re.search(r"data-line-subtotal>([^<]+)<", cart).group(1)
    total = plan_total(_customer_offer(world, world.customer), line.quantities)
    assert subtotal == "$269.00" == f"${(total.per_period.amount + total.once.amount) / 100:,.2f}"


def test_plan_cards_take_columns_by_their_number(client, world):
    def columns(page: str) -> str:
        return re.search(r'<div class="row ([^"]*) g-3 plan-cards" data-plan-count="(\d+)"', page).group(1, 2)

    assert columns(client.get("/products/sync-tool?audience=customer").get_data(as_text=True)) == ("row-cols-1", "1")
    for number in range(3):
        f.make_plan(world.product, distributor=world.distributor, marketplace=world.us, audience="customer", cost=800,
                    msrp=1000 + number, terms=(("monthly", 1),), code=f"more-{number}")
    db.session.commit()
    page = client.get("/products/sync-tool?audience=customer").get_data(as_text=True)
    assert columns(page) == ("row-cols-1 row-cols-md-2 row-cols-xxl-4", "4")
    assert page.count('<div class="col flex-grow-1">') == 4


def test_the_site_icon_is_served_as_ico_and_svg_and_linked_from_every_page(client, world):
    ico = client.get("/favicon.ico")
    svg = client.get("/static/favicon.svg")
    page = client.get("/").get_data(as_text=True)

    assert (ico.status_code, ico.mimetype, ico.data[:4]) == (200, "image/vnd.microsoft.icon", b"\x00\x00\x01\x00")
    assert (svg.status_code, svg.mimetype) == (200, "image/svg+xml") and b"<svg" in svg.data
    assert '<link rel="icon" href="/static/favicon.svg' in page and '<link rel="icon" href="/favicon.ico" sizes="32x32">' in page

"""The buyer's orders pages, scoped to its organisation, and query counts that do not grow
with the number of lines or orders."""
import uuid
from datetime import datetime

from app.extensions import db
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import Beneficiary, LineRequest
from tests import factories as f
from tests.integration.checkout.helpers import add_to_cart, term_of

NOW = datetime(2026, 3, 14, 9, 30)


def place(shop, *lines, buyer=None, user=None):
    buyer = buyer or shop.reseller
    lines = list(lines) or [LineRequest(term_of(shop.reseller_plan).id, {"seats": 6})]
    preview = prepare(buyer, shop.us, lines)
    return place_order(CheckoutRequest(
        buyer=buyer, placed_by=user or shop.users.reseller, marketplace=shop.us, lines=lines,
        idempotency_key=uuid.uuid4().hex, fingerprint=preview.quote.fingerprint,
        accepted_terms=frozenset(t.token for t in preview.terms)), NOW)


def test_orders_are_numbered_per_year_in_sequence(shop, handed_off):
    assert [place(shop).number for _ in range(3)] == ["ORD-2026-000001", "ORD-2026-000002", "ORD-2026-000003"]


def test_the_orders_page_lists_the_buyers_orders_only(client, auth, shop, handed_off):
    mine = place(shop)
    f.make_billing_info(shop.other_reseller)
    shop.other_reseller.credit_limit = 100_000
    db.session.commit()
    theirs = place(shop, buyer=shop.other_reseller, user=shop.users.other_reseller)
    auth.login("admin@reseller.test")
    page = client.get("/orders").get_data(as_text=True)
    assert mine.number in page and theirs.number not in page
    assert client.get(f"/orders/{mine.number}").status_code == 200
    assert client.get(f"/orders/{theirs.number}").status_code == 404
    assert client.get("/orders/ORD-0000-000000").status_code == 404


def test_a_customer_does_not_see_the_order_its_reseller_placed_for_it(client, auth, shop, handed_off):
    order = place(shop, LineRequest(term_of(shop.customer_plan).id, {}, {}, Beneficiary.customer(shop.customer.id)))
    auth.login("admin@customer-a.test")
    assert client.get(f"/orders/{order.number}").status_code == 404


def test_distributor_staff_see_every_order(client, auth, shop, handed_off):
    order = place(shop)
    auth.login("staff@dist.test")
    assert order.number in client.get("/orders").get_data(as_text=True)
    assert client.get(f"/orders/{order.number}").status_code == 200


def test_the_order_page_shows_frozen_prices_terms_and_each_lines_subscription_status(client, auth, shop, handed_off):
    order = place(shop)
    for item in order.lines[0].items:  # prices changing later do not change the order
        item.unit_price = 1
    db.session.commit()
    auth.login("admin@reseller.test")
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "$0.01" in page and "$19.80" in page  # frozen items; totals as charged (16 + 2) + 10 %
    assert "United States marketplace terms" in page or "US marketplace terms" in page
    assert 'data-status="pending"' in page and 'data-status="placed"' in page


def test_cart_page_queries_do_not_grow_with_lines(client, auth, shop, count_queries):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan))
    db.session.expire_all()
    with count_queries() as one:
        client.get("/cart")
    for _ in range(4):
        add_to_cart(client, term_of(shop.reseller_plan, "annual"), quickstart=1)
    db.session.expire_all()
    with count_queries() as five:
        client.get("/cart")
    assert five.count == one.count


def test_orders_pages_queries_do_not_grow_with_orders_or_lines(client, auth, shop, handed_off, count_queries):
    def queries(url):
        client.get(url)  # the storefront cache (marketplaces) is filled, as on a running site
        db.session.expire_all()  # start each page as a fresh request would
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    first = place(shop)
    auth.login("admin@reseller.test")
    list_one, detail_one = queries("/orders"), queries(f"/orders/{first.number}")
    many = place(shop, *[LineRequest(term_of(shop.customer_plan).id, {"seats": 6}, {}, Beneficiary.customer(shop.customer.id))] * 4)
    for _ in range(3):
        place(shop)
    assert queries("/orders") == list_one
    assert queries(f"/orders/{many.number}") == detail_one


def test_the_panels_order_pages_queries_do_not_grow_with_lines(client, auth, shop, handed_off, count_queries):
    # given: the customer's own orders, one of one line and one of five (the panels share the order page)
    shop.customer.credit_limit = 1_000_000
    db.session.commit()

    def customer_order(lines):
        line = LineRequest(term_of(shop.customer_plan).id, {"seats": 6})
        return place(shop, *[line] * lines, buyer=shop.customer, user=shop.users.customer)

    one, five = customer_order(1), customer_order(5)

    def queries(url):
        assert client.get(url).status_code == 200
        db.session.expire_all()
        with count_queries() as counter:
            page = client.get(url)
        assert page.status_code == 200
        return counter.count

    # when / then: the customer's panel and its reseller's panel read as many statements for either
    auth.login("admin@customer-a.test")
    assert queries(f"/customer/orders/{five.number}") == queries(f"/customer/orders/{one.number}")
    auth.logout()
    auth.login("admin@reseller.test")
    reseller_page = f"/reseller/customers/{shop.customer.id}/orders/"
    assert queries(reseller_page + five.number) == queries(reseller_page + one.number)

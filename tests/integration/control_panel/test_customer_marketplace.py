"""The customer panel's Marketplace tab through HTTP: plans for customers at the reseller's
customer prices, plan -> period -> resources -> parameters -> summary -> order, placed by the
one checkout service; and its refusals, each shown next to what it is about, changing nothing."""
from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from app.billing.models import Invoice
from app.catalog.models import PlanTermPrice
from app.extensions import db
from app.orders.models import Order
from tests import factories as f
from tests.integration.checkout.helpers import assert_invoiced_as_quoted, minor_units_shown, parse_checkout
from tests.integration.control_panel.customer_shop import customer_shop, handed_off  # noqa: F401  (fixtures)
from tests.stripe_support import VISA


def _orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def _summary(client, world, seats=7, quickstart=True, **extra):
    query = {"term": world.monthly.id, "qty-seats": seats, **({"qty-quickstart": "1"} if quickstart else {}), **extra}
    return client.get(f"/customer/marketplace/plans/{world.customer_plan.id}/order", query_string=query)


def _place(client, world, page, seats=7, payment_method="on_account", terms=None, **extra):
    data = {"term": world.monthly.id, "qty-seats": seats, "qty-quickstart": "1", "fingerprint": page.fingerprint,
            "idempotency_key": page.idempotency_key, "terms": page.terms if terms is None else terms,
            "payment_method": payment_method, **extra}
    return client.post(f"/customer/marketplace/plans/{world.customer_plan.id}/order", data=data)


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _plain(response) -> str:
    """The page's words, without tags."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def test_the_marketplace_lists_plans_for_customers_by_category_at_the_resellers_price(client, auth, customer_shop):
    # given customer A of Reseller One, which sells the monthly plan at $12.00
    auth.login("admin@customer-a.test")
    # when it opens its marketplace
    page = client.get("/customer/marketplace")
    text = _text(page)
    # then it sees the plan for customers in its category at $12.00, and not the reseller plan
    assert page.status_code == 200
    assert 'data-category="' in text and "Cloud" in text
    assert f'data-plan="{customer_shop.customer_plan.id}"' in text and f'data-plan="{customer_shop.reseller_plan.id}"' not in text
    assert 'data-price>$12.00<' in text
    # and the plan page offers its periods at its prices, and its resources within their limits
    plan_page = _text(client.get(f"/customer/marketplace/plans/{customer_shop.customer_plan.id}"))
    # (the annual term has no customer price of the reseller's: the MSRP)
    assert "Monthly: <strong>$12.00</strong>" in plan_page and "Annual: <strong>$120.00</strong>" in plan_page
    assert 'name="qty-seats"' in plan_page and 'min="5" max="100" step="1"' in plan_page
    assert "Seats $2.50 per seat" in plan_page


def test_a_direct_customer_of_the_distributor_sees_the_msrp(client, auth, world):
    direct = f.make_reseller(world.distributor, name="Direct Buyer", reselling_enabled=False, marketplace=world.us)
    f.make_user(direct, "admin@direct.test")
    db.session.commit()
    auth.login("admin@direct.test")
    assert 'data-price>$10.00<' in _text(client.get("/customer/marketplace"))


def test_buying_in_the_panel_places_the_order_at_the_resellers_customer_price(client, auth, customer_shop, handed_off):
    # given customer A's administrator, who chose the monthly term, 7 seats and QuickStart
    auth.login("admin@customer-a.test")
    summary = _summary(client, customer_shop)
    page = parse_checkout(summary)
    text = _text(summary)
    # then the summary shows the quote at its reseller's prices and says who pays and how
    # ($12.00 + 2 extra seats x $2.50 + QuickStart $250.00 = $267.00, 10 % tax $26.70)
    assert summary.status_code == 200
    assert (minor_units_shown(page.total("subtotal")), minor_units_shown(page.total("tax")), minor_units_shown(page.total("total"))) == (26700, 2670, 29370)
    assert "Billed to Customer A , at the prices of your provider Reseller One" in _plain(summary) and 'data-method="on_account"' in text
    # when it places the order on account, accepting the terms
    response = _place(client, customer_shop, page)
    # then the order is placed for exactly the quoted amounts, invoiced, and handed to provisioning
    order = db.session.scalar(select(Order))
    assert (response.status_code, response.headers["Location"]) == (303, f"/customer/orders/{order.number}")
    assert (order.buyer_id, order.subtotal, order.tax, order.total, order.payment_method) == (customer_shop.customer.id, 26700, 2670, 29370, "on_account")
    line = order.lines[0]
    assert (line.quantities, line.subscription.owner_id, line.subscription.payer_id) == ({"seats": 7, "quickstart": 1}, customer_shop.customer.id, customer_shop.customer.id)
    assert {(item.unit_price, item.quantity, item.subtotal) for item in line.items} == {(1200, 1, 1200), (250, 2, 500), (25000, 1, 25000)}
    assert_invoiced_as_quoted(order, page)
    assert handed_off == [order.number]
    # and it lands on the order's provisioning status page in its panel
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200 and "Provisioning" in _text(shown) and "$293.70" in _text(shown)
    # and submitting the same summary again places nothing more
    again = _place(client, customer_shop, page)
    assert again.headers["Location"] == f"/customer/orders/{order.number}" and _orders() == 1


def test_buying_by_card_charges_the_customers_card_and_shows_the_order(client, auth, customer_shop, localstripe, handed_off):
    from app.payments.cards import set_default_card

    customer_shop.customer.credit_limit = None
    set_default_card(customer_shop.customer, localstripe.card(VISA))
    db.session.commit()
    auth.login("admin@customer-a.test")
    summary = _summary(client, customer_shop, seats=5, quickstart=False)
    assert 'data-method="card"' in _text(summary) and 'data-method="on_account"' not in _text(summary)
    page = parse_checkout(summary)
    response = client.post(f"/customer/marketplace/plans/{customer_shop.customer_plan.id}/order", data={
        "term": customer_shop.monthly.id, "qty-seats": 5, "fingerprint": page.fingerprint, "idempotency_key": page.idempotency_key,
        "terms": page.terms, "payment_method": "card"})
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert (response.status_code, response.headers["Location"]) == (303, f"/customer/orders/{order.number}")
    assert (order.payment_status, order.total) == ("paid", 1320)
    assert [(i["amount"], i["status"]) for i in localstripe.payment_intents(order.id)] == [(1320, "succeeded")]
    assert db.session.scalar(select(Invoice.status).where(Invoice.order_id == order.id)) == "paid"
    assert handed_off == [order.number]


def test_a_member_sees_the_summary_but_may_not_order(client, auth, customer_shop, handed_off):
    # given a member of customer A
    auth.login("member@customer-a.test")
    # when it opens a summary
    summary = _summary(client, customer_shop)
    # then it sees the price and, next to the button, that only administrators order
    assert summary.status_code == 200
    assert "Only administrators of Customer A can place orders." in _text(summary)
    assert re.search(r'type="submit" disabled', summary.get_data(as_text=True))
    # and posting the order anyway is refused, and nothing is placed
    assert _place(client, customer_shop, parse_checkout(summary)).status_code == 403
    assert _orders() == 0 and handed_off == []


def test_a_quantity_outside_the_plans_limits_is_refused_next_to_its_field(client, auth, customer_shop, handed_off):
    auth.login("admin@customer-a.test")
    for seats, message in [(101, "Seats: choose between 5 and 100."), ("x", "Seats: enter a whole number.")]:
        response = _summary(client, customer_shop, seats=seats)
        assert response.status_code == 422
        assert f'id="qty-seats-error">{message}<' in html.unescape(response.get_data(as_text=True))
    # and a summary tampered with after it was shown places nothing
    page = parse_checkout(_summary(client, customer_shop))
    refused = _place(client, customer_shop, page, seats=3)
    assert refused.status_code == 422 and "Seats: choose between 5 and 100." in _text(refused)
    assert _orders() == 0 and handed_off == []


def test_a_plan_unpublished_after_the_summary_is_refused_and_no_longer_offered(client, auth, customer_shop, handed_off):
    auth.login("admin@customer-a.test")
    page = parse_checkout(_summary(client, customer_shop))
    customer_shop.customer_plan.published = False
    db.session.commit()
    refused = _place(client, customer_shop, page)
    assert refused.status_code == 422 and "This plan is no longer sold." in _text(refused)
    assert _orders() == 0 and handed_off == []
    assert client.get(f"/customer/marketplace/plans/{customer_shop.customer_plan.id}").status_code == 404
    assert f'data-plan="{customer_shop.customer_plan.id}"' not in _text(client.get("/customer/marketplace"))


def test_a_reseller_plan_is_not_offered_in_the_customer_panel(client, auth, customer_shop, handed_off):
    auth.login("admin@customer-a.test")
    assert client.get(f"/customer/marketplace/plans/{customer_shop.reseller_plan.id}").status_code == 404
    term = customer_shop.reseller_plan.terms[0]
    response = client.get(f"/customer/marketplace/plans/{customer_shop.reseller_plan.id}/order", query_string={"term": term.id})
    assert response.status_code == 422 and "is for resellers' own use" in _text(response)
    # a term of another plan than the one in the address is not found
    assert client.get(f"/customer/marketplace/plans/{customer_shop.customer_plan.id}/order", query_string={"term": term.id}).status_code == 404


def test_terms_not_accepted_and_changed_prices_are_said_next_to_the_button(client, auth, customer_shop, handed_off):
    auth.login("admin@customer-a.test")
    page = parse_checkout(_summary(client, customer_shop))
    refused = _place(client, customer_shop, page, terms=[])
    assert refused.status_code == 422
    assert re.findall(r"data-refusal>([^<]*)", _text(refused)) == ["Please accept US marketplace terms, Vendor terms for Sync Tool to place the order. "]
    # when the reseller raises its price before the customer places the order
    price = db.session.scalar(select(PlanTermPrice).where(PlanTermPrice.plan_term_id == customer_shop.monthly.id,
                                                          PlanTermPrice.amount == 1200))
    price.amount = 1300
    db.session.commit()
    changed = _place(client, customer_shop, page)
    assert changed.status_code == 409 and _orders() == 0
    assert re.findall(r"data-refusal>([^<]*)", _text(changed)) == ["Prices changed since you looked. Check the new summary and place the order again. "]
    assert minor_units_shown(parse_checkout(changed).total("subtotal")) == 26800

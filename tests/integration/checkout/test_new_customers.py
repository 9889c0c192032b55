"""A customer the checkout opens (a line's beneficiary "new customer") is made by the one rule
of customer accounts (``app.accounts.customers.create_customer``): its contact, its creation
time and its activity record, and a name the reseller has already refused before anything is
written."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.accounts.activity import ActivityEntry
from app.accounts.customers import NewCustomer, create_customer
from app.accounts.models import Organisation
from app.billing.models import Invoice
from app.extensions import db
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.cart.models import CartLine  # after app.orders: app.cart imported first meets their import cycle
from app.orders.lines import Beneficiary, LineRequest
from app.orders.models import Order
from app.orders.validation import OrderInvalid
from app.plans.models import Subscription
from tests.integration.checkout.helpers import add_to_cart, flashes, open_checkout, place_order as post_order, term_of

NOW = datetime(2026, 5, 1, 12, 0)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new_customer_lines(shop, *beneficiaries: tuple[str, str]) -> list[LineRequest]:
    term = term_of(shop.customer_plan)
    return [LineRequest(term.id, quantities={"seats": 6}, beneficiary=Beneficiary.new_customer(name, email))
            for name, email in beneficiaries]


def _request(shop, lines, preview) -> CheckoutRequest:
    return CheckoutRequest(shop.reseller, shop.users.reseller, shop.us, lines, uuid.uuid4().hex,
                           preview.quote.fingerprint, frozenset(t.token for t in preview.terms))


def _written() -> tuple[int, int, int, int, int]:
    db.session.expire_all()
    created = db.session.scalar(select(func.count()).select_from(ActivityEntry).where(ActivityEntry.action == "customer.created"))
    return count(Order), count(Subscription), count(Invoice), count(Organisation), created


def test_the_new_customer_gets_its_contact_creation_time_and_activity_record(shop, handed_off):
    lines = _new_customer_lines(shop, ("Newco  Ltd", "Boss@Newco.example"))
    preview = prepare(shop.reseller, shop.us, lines)
    order = place_order(_request(shop, lines, preview), NOW)
    newco = order.lines[0].beneficiary
    assert (newco.name, newco.kind, newco.parent_id, newco.marketplace_id) == ("Newco Ltd", "customer", shop.reseller.id, shop.us.id)
    assert (newco.contact_name, newco.contact_email) == ("Newco Ltd", "boss@newco.example")
    assert (newco.billing_contact_name, newco.billing_contact_email) == ("Newco Ltd", "boss@newco.example")
    assert newco.created_at == NOW and order.lines[0].admin_email == "boss@newco.example"
    [entry] = db.session.scalars(select(ActivityEntry).where(ActivityEntry.action == "customer.created"))
    assert (entry.organisation_id, entry.actor_user_id, entry.subject_id, entry.summary) == (
        shop.reseller.id, shop.users.reseller.id, newco.id, "Customer account Newco Ltd created")


def test_two_lines_for_the_same_new_customer_make_one_customer(shop, handed_off):
    organisations = count(Organisation)
    lines = _new_customer_lines(shop, ("Newco Ltd", "boss@newco.example"), ("newco  LTD", "Boss@Newco.example"))
    order = place_order(_request(shop, lines, prepare(shop.reseller, shop.us, lines)), NOW)
    owners = {line.subscription.owner_id for line in order.lines}
    assert owners == {order.lines[0].beneficiary_id} and count(Organisation) == organisations + 1
    assert _written()[4] == 1


def _refused_at_prepare(shop, *new_customers) -> list[tuple]:
    """The (line, field, message) problems of preparing an order of lines for ``new_customers``
    ((name, administrator) each), which must be refused with nothing written."""
    before = _written()
    lines = _new_customer_lines(shop, *new_customers)
    with pytest.raises(OrderInvalid) as refused:
        prepare(shop.reseller, shop.us, lines)
    assert _written() == before
    return [(p.line, p.field, p.message) for p in refused.value.problems]


def test_two_lines_naming_one_new_customer_with_two_administrators_are_refused(shop):
    assert _refused_at_prepare(shop, ("Newco Ltd", "boss@newco.example"), ("Newco Ltd", "it@newco.example")) == [
        (1, "new_customer_email", "Another line opens the new customer Newco Ltd with the administrator "
                                  "boss@newco.example: give both the same administrator, or this one another name.")]


def test_a_name_the_reseller_has_already_is_refused_before_anything_is_written(shop):
    assert _refused_at_prepare(shop, ("customer  a", "boss@newco.example")) == [
        (0, "new_customer_name", "You already have a customer named customer a: order for that customer, or give the "
                                 "new one another name.")]


@pytest.mark.parametrize("with_preview", [True, False])
def test_a_customer_of_that_name_made_after_the_summary_refuses_the_placing_and_nothing_is_written(shop, handed_off, with_preview):
    # given the summary of an order for the new customer Newco Ltd
    lines = _new_customer_lines(shop, ("Newco Ltd", "boss@newco.example"))
    preview = prepare(shop.reseller, shop.us, lines)
    request = _request(shop, lines, preview)
    # when, before it is placed, a customer Newco Ltd is created from the "New customer" page
    create_customer(shop.reseller, NewCustomer("NEWCO LTD", "Jo", "jo@newco.example", shop.us.id), actor=None, now=NOW)
    db.session.commit()
    before = _written()
    # then placing is refused as the checkout's checks refuse it, and writes nothing
    with pytest.raises(OrderInvalid) as refused:
        place_order(request, NOW, preview if with_preview else None)
    [problem] = refused.value.problems
    assert (problem.line, problem.field) == (0, "new_customer_name")
    assert problem.message == ("You already have a customer named Newco Ltd: order for that customer, or give the new one "
                               "another name.")
    assert _written() == before
    assert handed_off == []


def test_the_storefront_checkout_sends_a_duplicate_new_customer_back_to_the_cart_with_nothing_placed(client, auth, shop):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.customer_plan))
    line_id = db.session.scalar(select(CartLine.id))
    client.post(f"/cart/lines/{line_id}", data={"beneficiary": "new", "new_customer_name": "Newco Ltd",
                                               "new_customer_email": "boss@newco.example"})
    page = open_checkout(client)
    # meanwhile the reseller creates Newco Ltd from its "New customer" page
    create_customer(shop.reseller, NewCustomer("Newco Ltd", "Jo", "jo@newco.example", shop.us.id), actor=None, now=NOW)
    db.session.commit()
    before = _written()
    response = post_order(client, page)
    assert response.status_code == 302 and response.headers["Location"] == "/cart"
    cart = client.get("/cart")
    assert "Some lines in your cart need attention before you check out." in flashes(cart)
    assert "You already have a customer named Newco Ltd: order for that customer, or give the new one another name." in cart.get_data(as_text=True)
    assert _written() == before and count(CartLine) == 1

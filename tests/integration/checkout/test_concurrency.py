"""Races on PostgreSQL, with real threads each in its own app context (own connection):
concurrent submits of one checkout, and concurrent orders against one credit limit."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.accounts.models import Organisation, User
from app.billing.models import Invoice
from app.catalog.models import Marketplace
from app.extensions import db
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import LineRequest
from app.orders.models import Order
from app.orders.payments import CreditLimitExceeded
from app.plans.models import Subscription
from tests.integration.checkout.helpers import add_to_cart, open_checkout, term_of

pytestmark = pytest.mark.postgres_only  # skipped on SQLite (tests/conftest.py), which serialises every writer
NOW = datetime(2026, 5, 1, 12, 0)


def test_fifty_concurrent_submits_of_one_checkout_place_exactly_one_order(app, client, auth, shop, handed_off):
    # given one reseller's checkout page, with its idempotency token
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=6)
    page = open_checkout(client)
    cookie = client.get_cookie("session").value
    db.session.commit()
    start = threading.Barrier(50)

    def submit(_):
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        start.wait()
        response = browser.post("/checkout", data={"fingerprint": page.fingerprint, "idempotency_key": page.idempotency_key,
                                                   "terms": page.terms, "payment_method": "on_account"})
        return response.status_code, response.headers.get("Location")

    # when fifty submits of it race
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(submit, range(50)))
    # then one order exists, with one invoice and one subscription, and every submit lands on it
    db.session.expire_all()
    number = db.session.scalar(select(Order.number))
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.scalar(select(func.count(Invoice.id))) == db.session.scalar(select(func.count(Subscription.id))) == 1
    assert set(results) == {(302, f"/orders/{number}")}
    assert handed_off == [number]


def _race(app, shop, count: int, lines_of, refusal, *, with_summary: bool = False) -> list:
    """``count`` orders of the reseller's admin, each summarised (``prepare``) by its own thread
    and session, then placed at once (``with_summary``: placed with that summary, as the
    checkout page does, so the checks before the lock are those made before any was placed);
    each result is the order's number, or the ``refusal`` (an exception class) it raised."""
    ids = (shop.reseller.id, shop.us.id, shop.users.reseller.id)
    start = threading.Barrier(count)

    def order(number):
        with app.app_context():
            buyer, marketplace, user = db.session.get(Organisation, ids[0]), db.session.get(Marketplace, ids[1]), db.session.get(User, ids[2])
            lines = lines_of(number)
            preview = prepare(buyer, marketplace, lines)
            request = CheckoutRequest(buyer, user, marketplace, lines, uuid.uuid4().hex, preview.quote.fingerprint,
                                      frozenset(t.token for t in preview.terms))
            db.session.commit()
            start.wait()
            try:
                return place_order(request, NOW, preview if with_summary else None).number
            except refusal as refused:
                return refused
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(order, range(count)))


def test_twenty_concurrent_orders_never_overspend_one_credit_limit(app, shop, handed_off):
    # given a credit limit that covers exactly five orders of 16.00 + 10 % tax
    shop.reseller.credit_limit = 5 * 1760 + 1000
    db.session.commit()
    term_id = term_of(shop.reseller_plan).id
    # when twenty orders race
    results = _race(app, shop, 20, lambda _: [LineRequest(term_id)], CreditLimitExceeded)
    # then five are placed, fifteen refused, and the open invoices stay within the limit
    db.session.expire_all()
    invoiced = db.session.scalar(select(func.sum(Invoice.total)).where(Invoice.organisation_id == shop.reseller.id))
    placed = sorted(r for r in results if isinstance(r, str))
    assert sum(isinstance(r, CreditLimitExceeded) for r in results) == 15
    assert invoiced == 5 * 1760 <= shop.reseller.credit_limit
    assert placed == [f"ORD-2026-00000{i}" for i in range(1, 6)]


def test_ten_concurrent_orders_for_one_new_customer_name_make_one_customer(app, shop, handed_off):
    # given ten orders for the new customer "Newco Ltd", each summarised while none exists
    from app.orders.lines import Beneficiary
    from app.orders.validation import OrderInvalid

    term_id = term_of(shop.customer_plan).id
    # when they are placed at once
    results = _race(app, shop, 10, lambda number: [LineRequest(term_id, beneficiary=Beneficiary.new_customer(
        "Newco Ltd", f"admin{number}@newco.example"))], OrderInvalid, with_summary=True)
    # then one is placed: the reseller's row lock makes the others see its customer, and refuse
    db.session.expire_all()
    named = select(func.count(Organisation.id)).where(Organisation.name == "Newco Ltd")
    refused = "You already have a customer named Newco Ltd: order for that customer, or give the new one another name."
    assert [r.problems[0].message for r in results if isinstance(r, OrderInvalid)] == [refused] * 9
    assert db.session.scalar(named) == 1 and db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.scalar(select(func.count(Subscription.id))) == 1


def test_fifty_concurrent_card_submits_of_one_checkout_charge_once_and_provision_once(app, client, auth, shop, card_on_file, localstripe, handed_off):
    # given one reseller's checkout page paid by its saved Visa card
    from app.payments.models import Payment

    card_on_file(shop.reseller)
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=6)
    page = open_checkout(client)
    cookie = client.get_cookie("session").value
    db.session.commit()
    start = threading.Barrier(50)

    def submit(_):
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        start.wait()
        response = browser.post("/checkout", data={"fingerprint": page.fingerprint, "idempotency_key": page.idempotency_key,
                                                   "terms": page.terms, "payment_method": "card"})
        return response.headers.get("Location")

    # when fifty submits of it race
    with ThreadPoolExecutor(max_workers=50) as pool:
        locations = set(pool.map(submit, range(50)))
    # then one order, one PaymentIntent, one payment, one paid invoice, one hand-off
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert locations == {f"/orders/{order.number}"}
    assert (db.session.scalar(select(func.count(Order.id))), db.session.scalar(select(func.count(Payment.id)))) == (1, 1)
    assert [intent["status"] for intent in localstripe.payment_intents()] == ["succeeded"]
    assert db.session.scalar(select(Invoice.status)) == "paid" and handed_off == [order.number]

"""Time travel: with the app's clock set a year ahead, an order placed through the checkout page
and provisioned by the real job (the RQ job run by an in-process worker) carries the travelled
date everywhere: the order, its invoice, the fulfillment request, the vendor's books, the mail
and the activated subscription. Nothing reads the wall clock."""
from datetime import datetime, time, timedelta

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from app.billing.models import Invoice
from app.core.clock import SYSTEM_CLOCK, FixedClock
from app.extensions import db
from app.mail.models import OutboxMessage
from app.orders.models import Order
from app.plans.models import QuantityRecord, Subscription
from app.provisioning.dispatch import provisioning_queue
from app.provisioning.models import DemoVendorCall, FulfillmentRequest
from tests.integration.checkout.conftest import card_on_file, shop  # noqa: F401  (fixtures)
from tests.integration.checkout.helpers import add_to_cart, open_checkout, place_order, term_of
from tests.integration.provisioning.conftest import clean_redis, fast_provisioning, redis_client  # noqa: F401  (fixtures)
from tests.stripe_support import VISA

# A year ahead of the wall clock, at a time of day the wall clock is unlikely to show.
TRAVELLED = datetime.combine(SYSTEM_CLOCK.now().date() + timedelta(days=366), time(3, 21, 9))


@pytest.fixture
def travelled(app, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(TRAVELLED))
    return TRAVELLED


def _run_provisioning_jobs() -> None:
    """The queued provisioning jobs, run as a worker runs them (in this process, on this app)."""
    queue = provisioning_queue()
    assert len(queue) == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.rollback()
    db.session.expire_all()


def _assert_provisioned_at_the_travelled_date(order: Order, now: datetime) -> None:
    request = db.session.scalar(select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id))
    assert request.state == "completed" and order.status == "completed"
    assert (request.created_at, request.processing_started_at, request.completed_at, request.updated_at) == (now, now, now, now)
    assert request.lease_expires_at is None or request.lease_expires_at > now
    calls = db.session.scalars(select(DemoVendorCall)).all()
    assert [(call.received_at, call.answered_at) for call in calls] == [(now, now)]
    subscription = db.session.get(Subscription, request.subscription_id)
    assert subscription.status == "active"
    assert (subscription.created_at, subscription.activated_at, subscription.period_anchor,
            subscription.current_period_start) == (now, now, now, now)
    assert timedelta(days=28) <= subscription.current_period_end - now <= timedelta(days=31)  # one monthly period
    assert {record.recorded_at for record in db.session.scalars(select(QuantityRecord))} == {now}
    assert {message.created_at for message in db.session.scalars(select(OutboxMessage))} == {now}


def test_an_order_placed_on_account_a_year_ahead_is_placed_provisioned_and_activated_at_that_date(
        client, auth, shop, clean_redis, fast_provisioning, travelled):
    # given the app's clock a year ahead and the reseller's admin with a plan in its cart
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=6)
    # when it places the order on account through the checkout page
    response = place_order(client, open_checkout(client))
    assert response.status_code == 302
    order = db.session.scalar(select(Order))
    # then the order and its invoice are dated the travelled day
    assert (order.created_at, order.status) == (travelled, "provisioning")
    assert {acceptance["accepted_at"] for acceptance in order.terms_acceptance} <= {travelled.isoformat()}
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert (invoice.issued_at, invoice.due_at) == (travelled, travelled + timedelta(days=30))
    # when the provisioning job runs
    _run_provisioning_jobs()
    # then the fulfillment request and the subscription carry the travelled date, not the wall clock's
    _assert_provisioned_at_the_travelled_date(db.session.get(Order, order.id), travelled)


def test_a_card_order_paid_a_year_ahead_is_paid_provisioned_and_activated_at_that_date(
        client, auth, shop, card_on_file, clean_redis, fast_provisioning, travelled):
    # given the app's clock a year ahead and a reseller with a Visa card on file
    card_on_file(shop.reseller, VISA)
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=6)
    # when it checks out by card (placed unpaid, charged at once, settled by the payment's hook)
    response = place_order(client, open_checkout(client), payment_method="card")
    assert response.status_code == 303
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    # then the order is placed and paid on the travelled day, and so is its invoice
    assert (order.created_at, order.paid_at, order.payment_status) == (travelled, travelled, "paid")
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert (invoice.issued_at, invoice.paid_at) == (travelled, travelled)
    # when the provisioning job runs, everything it dates is the travelled day too
    _run_provisioning_jobs()
    _assert_provisioned_at_the_travelled_date(db.session.get(Order, order.id), travelled)

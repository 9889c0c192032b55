"""Card orders that wait for their payment: "Awaiting payment" with a Pay button wherever they
are shown, and cancelled by the scheduler's duty once unpaid for ``UNPAID_ORDER_CANCEL_AFTER``
(the payment closed at the provider, the pending subscriptions ended, an open invoice voided, the
buyer mailed), once, whoever runs it and however often."""
import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.billing.invoicing import invoice_order
from app.billing.models import Invoice
from app.core.clock import FixedClock
from app.extensions import db
from app.mail.models import OutboxMessage
from app.orders.abandonment import cancel_unpaid_orders
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import LineRequest
from app.orders.models import Order
from app.payments.models import Payment
from app.plans.models import Subscription
from app.plans.queries import subscription_counts
from tests.integration.checkout.helpers import add_to_cart, flashes, open_checkout, place_order as submit_checkout, term_of
from tests.stripe_support import DECLINED_AT_PAYMENT, THREE_D_SECURE

NOW = datetime(2026, 6, 1, 10, 0)
DAY = timedelta(hours=24)


def place_card_order(shop, seats=6) -> Order:
    lines = [LineRequest(term_of(shop.reseller_plan).id, {"seats": seats})]
    preview = prepare(shop.reseller, shop.us, lines)
    return place_order(CheckoutRequest(
        buyer=shop.reseller, placed_by=shop.users.reseller, marketplace=shop.us, lines=lines,
        idempotency_key=uuid.uuid4().hex, fingerprint=preview.quote.fingerprint, payment_method="card",
        accepted_terms=frozenset(t.token for t in preview.terms)), NOW)


def fresh(order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def mails() -> list[tuple[str, str, str]]:
    return [(m.kind, m.recipient, m.subject) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def text_of(response) -> str:
    """The page with the white space between tags taken out."""
    return re.sub(r">\s+<", "><", response.get_data(as_text=True))


def test_an_unpaid_card_order_says_awaiting_payment_with_its_pay_button_everywhere(client, auth, shop, handed_off):
    # given a card order the buyer has not paid
    order = place_card_order(shop)
    auth.login("admin@reseller.test")
    # then its list, its page and its live progress panel say "Awaiting payment", never "Placed"
    listed = text_of(client.get("/orders"))
    assert 'data-status="awaiting_payment">Awaiting payment</span>' in listed and 'data-status="placed"' not in listed
    assert f'href="/orders/{order.number}/pay">Pay</a>' in listed
    page = text_of(client.get(f"/orders/{order.number}"))
    assert 'id="order-status-badge"><span class="badge text-bg-warning" data-status="awaiting_payment">Awaiting payment</span>' in page
    assert 'data-status="placed"' not in page and "Pay now" in page
    fragment = text_of(client.get(f"/provisioning/orders/{order.number}/progress"))
    assert 'data-status="awaiting_payment">Awaiting payment</span>' in fragment and 'data-status="placed"' not in fragment
    # and the panels' order list (the reseller panel links to it) is the same page
    assert "/orders" in text_of(client.get("/reseller/subscriptions"))
    # and a member (who may not pay) sees the status without the button
    auth.logout()
    auth.login("member@reseller.test")
    listed = text_of(client.get("/orders"))
    assert "Awaiting payment" in listed and f"/orders/{order.number}/pay" not in listed
    assert "Pay now" not in text_of(client.get(f"/orders/{order.number}"))


def test_the_status_label_is_one_property_every_page_reads(shop, handed_off):
    order = place_card_order(shop)
    assert (order.display_status, order.status_label) == ("awaiting_payment", "Awaiting payment")
    order.payment_status = "failed"  # declined: still payable, still awaiting payment
    assert (order.display_status, order.status_label) == ("awaiting_payment", "Awaiting payment")
    order.payment_status, order.status = "paid", "provisioning"
    assert (order.display_status, order.status_label) == ("provisioning", "Provisioning")
    order.payment_status, order.status = "canceled", "canceled"
    assert (order.display_status, order.status_label) == ("canceled", "Cancelled")
    db.session.rollback()


def test_the_duty_cancels_an_unpaid_order_after_the_configured_time_and_not_before(app, client, auth, shop, handed_off):
    # given a card order placed at NOW and never paid, and an open invoice of it
    order = place_card_order(shop)
    invoice = invoice_order(fresh(order), NOW, payment_method="card")
    db.session.commit()
    subscription_id = order.lines[0].subscription_id
    assert subscription_counts().total == 1
    # when the duty runs one second before 24 hours have passed: nothing happens
    assert cancel_unpaid_orders(NOW + DAY - timedelta(seconds=1)) == 0
    assert (fresh(order).status, fresh(order).payment_status, mails()) == ("placed", "unpaid", [])
    # when it runs at 24 hours
    assert cancel_unpaid_orders(NOW + DAY) == 1
    # then the order is cancelled, its subscription ended unstarted, its invoice voided
    cancelled = fresh(order)
    assert (cancelled.status, cancelled.payment_status, cancelled.canceled_at) == ("canceled", "canceled", NOW + DAY)
    subscription = db.session.get(Subscription, subscription_id)
    assert (subscription.status, subscription.expired_at) == ("expired", NOW + DAY)
    assert subscription_counts().total == 0  # it no longer counts, nor holds seats
    assert db.session.get(Invoice, invoice.id).status == "void"
    assert db.session.scalar(select(Payment.status).where(Payment.order_id == order.id)) == "canceled"
    # and the buyer is told, in text and HTML
    assert mails() == [("order_cancelled", "admin@reseller.test", f"Order {order.number} cancelled: not paid")]
    message = db.session.scalar(select(OutboxMessage))
    assert f"Order {order.number} for Reseller One was cancelled because it was not paid." in message.body
    assert "Nothing was charged, nothing was set up" in message.body and "$19.80" in message.body
    assert "Your order was cancelled" in message.html and f"/orders/{order.number}" in message.html
    # and nothing was provisioned; its pages say so and it can no longer be paid
    assert handed_off == []
    auth.login("admin@reseller.test")
    page = text_of(client.get(f"/orders/{order.number}"))
    assert 'data-status="canceled">Cancelled</span>' in page and "Pay now" not in page and "it was not paid in time" in page
    assert client.get(f"/orders/{order.number}/pay").headers["Location"] == f"/orders/{order.number}"
    refused = client.post(f"/orders/{order.number}/pay", data={"seen_attempts": "0"}, follow_redirects=True)
    assert flashes(refused) == [f"Order {order.number} was cancelled because it was not paid in time. Nothing was charged."]
    assert db.session.scalar(select(func.count(Invoice.id)).where(Invoice.status == "paid")) == 0


def test_running_the_duty_twice_cancels_and_mails_once(shop, handed_off):
    order = place_card_order(shop)
    assert cancel_unpaid_orders(NOW + DAY) == 1
    assert cancel_unpaid_orders(NOW + DAY) == 0
    assert cancel_unpaid_orders(NOW + 3 * DAY) == 0
    assert fresh(order).canceled_at == NOW + DAY
    assert [kind for kind, _, _ in mails()] == ["order_cancelled"]


def test_the_delay_is_configurable_and_paid_or_on_account_orders_are_left_alone(app, shop, handed_off):
    unpaid, paid = place_card_order(shop), place_card_order(shop)
    paid_order = fresh(paid)
    paid_order.payment_status, paid_order.paid_at = "paid", NOW
    db.session.commit()
    app.config["UNPAID_ORDER_CANCEL_AFTER"] = 3600
    try:
        assert cancel_unpaid_orders(NOW + timedelta(minutes=59)) == 0
        assert cancel_unpaid_orders(NOW + timedelta(hours=1)) == 1
    finally:
        app.config["UNPAID_ORDER_CANCEL_AFTER"] = 24 * 3600
    assert (fresh(unpaid).status, fresh(paid).status, fresh(paid).payment_status) == ("canceled", "placed", "paid")


def test_the_scheduled_job_reads_now_from_the_apps_clock(app, shop, handed_off):
    from app.orders.jobs import cancel_unpaid_orders_job
    from app.worker import periodic_duties

    order = place_card_order(shop)
    assert (cancel_unpaid_orders_job, "default", app.config["UNPAID_ORDER_CHECK_INTERVAL"]) in periodic_duties()
    app.config["CLOCK"] = FixedClock(NOW + timedelta(hours=23))
    try:
        assert cancel_unpaid_orders_job() == 0
        app.config["CLOCK"] = FixedClock(NOW + timedelta(hours=25))
        assert cancel_unpaid_orders_job() == 1
    finally:
        app.config["CLOCK"] = None
    assert fresh(order).canceled_at == NOW + timedelta(hours=25)


def _check_out_by_card(client, auth, shop, card_on_file, number):
    card_on_file(shop.reseller, number)
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=6)
    submit_checkout(client, open_checkout(client), payment_method="card")
    return db.session.scalar(select(Order))


def test_an_abandoned_3d_secure_payment_is_cancelled_at_the_provider_and_the_bank_page_no_longer_pays(
        app, client, auth, shop, card_on_file, localstripe, handed_off):
    # given a card order whose buyer left at the bank's 3-D Secure page
    order = _check_out_by_card(client, auth, shop, card_on_file, THREE_D_SECURE)
    payment = db.session.scalar(select(Payment))
    assert (payment.status, localstripe.payment_intent(payment.provider_intent_id)["status"]) == ("requires_action", "requires_action")
    # when the duty runs a day later
    assert cancel_unpaid_orders(order.created_at + DAY) == 1
    # then the intent is cancelled at the provider, so the stale bank page cannot pay it
    intent = localstripe.payment_intent(payment.provider_intent_id)
    assert intent["status"] == "canceled"
    assert client.get(f"/payments/orders/{order.id}/authenticate?next=/orders/{order.number}").headers["Location"] == f"/orders/{order.number}"
    assert (fresh(order).payment_status, handed_off, db.session.scalar(select(func.count(Invoice.id)))) == ("canceled", [], 0)
    # and a late webhook of the cancelled intent changes nothing
    assert db.session.scalar(select(Payment.status)) == "canceled"


def test_a_declined_order_is_cancelled_with_its_failed_intent(client, auth, shop, card_on_file, localstripe, handed_off):
    order = _check_out_by_card(client, auth, shop, card_on_file, DECLINED_AT_PAYMENT)
    assert fresh(order).payment_status == "failed"
    assert cancel_unpaid_orders(order.created_at + DAY) == 1
    assert [i["status"] for i in localstripe.payment_intents(order.id)] == ["canceled"]
    assert [kind for kind, _, _ in mails()] == ["payment_failed", "order_cancelled"]
    # paying again after the cancellation starts no new attempt
    client.post(f"/orders/{order.number}/pay", data={"seen_attempts": "1"})
    assert len(localstripe.payment_intents(order.id)) == 1 and db.session.scalar(select(Payment.attempts)) == 1


def test_an_order_paid_at_the_bank_before_the_duty_runs_is_settled_not_cancelled(client, auth, shop, card_on_file, localstripe, handed_off):
    # given a buyer who completed 3-D Secure, but whose browser never came back to tell the app
    order = _check_out_by_card(client, auth, shop, card_on_file, THREE_D_SECURE)
    payment = db.session.scalar(select(Payment))
    localstripe.authenticate(payment.provider_intent_id, localstripe.payment_intent(payment.provider_intent_id)["client_secret"], success=True)
    # when the duty runs a day later: it re-reads the intent and settles the order instead
    assert cancel_unpaid_orders(order.created_at + DAY) == 0
    assert (fresh(order).status, fresh(order).payment_status, handed_off) == ("placed", "paid", [order.number])
    assert [kind for kind, _, _ in mails()] == ["order_confirmation"]


def test_the_command_cancels_unpaid_orders_as_of_a_date(app, shop, handed_off):
    order = place_card_order(shop)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["cancel-unpaid-orders", "--as-of", "2026-06-02T09:59"]).output == "2026-06-02 09:59: 0 unpaid order(s) cancelled\n"
    assert runner.invoke(args=["cancel-unpaid-orders", "--as-of", "2026-06-02"]).output == "2026-06-02 23:59: 1 unpaid order(s) cancelled\n"
    assert fresh(order).status == "canceled" and app.config["CLOCK"] is None

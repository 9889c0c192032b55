"""Card payments of orders against localstripe: one PaymentIntent per attempt, one row per order,
the succeeded hook exactly once."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.payments import gateway
from app.payments.cards import set_default_card
from app.payments.errors import CardDeclined, NoCardOnFile, PaymentProviderError, PaymentRequiresAction
from app.payments.models import Payment, PaymentAccount
from app.payments.service import refresh_card_payment, refund_card_payment, start_card_payment
from tests.stripe_support import DECLINED_AT_PAYMENT, THREE_D_SECURE, VISA, free_port


def _payment(order_id: int) -> Payment:
    db.session.expire_all()
    return db.session.scalar(select(Payment).where(Payment.order_id == order_id))


def _save_card(localstripe, organisation, number: str) -> str:
    return set_default_card(organisation, localstripe.card(number)).payment_method_id


def test_a_saved_visa_card_pays_the_order_and_a_second_submit_changes_nothing(localstripe, buyer, make_order, payment_hooks):
    # given a buyer with a Visa card on file and an order of 123.45 USD
    _save_card(localstripe, buyer.organisation, VISA)
    order = make_order(12_345)
    # when it pays, then submits the same payment again
    outcome = start_card_payment(order.id, 12_345, "USD", buyer.organisation)
    again = start_card_payment(order.id, 12_345, "USD", buyer.organisation)
    # then the payment succeeded once, with one PaymentIntent of exactly the order total
    assert outcome.succeeded and again.succeeded
    intents = localstripe.payment_intents(order.id)
    assert [(i["amount"], i["currency"], i["status"]) for i in intents] == [(12_345, "usd", "succeeded")]
    payment = _payment(order.id)
    assert (payment.status, payment.provider_intent_id, payment.attempts, payment.amount) == ("succeeded", intents[0]["id"], 1, 12_345)
    assert payment_hooks.succeeded == [order.id]
    assert payment_hooks.failed == []
    account = db.session.scalar(select(PaymentAccount))
    assert (account.card_brand, account.card_last4, account.card_exp_year) == ("visa", "4242", 2034)


def test_a_3d_secure_card_waits_for_the_buyer_then_succeeds_once(localstripe, buyer, make_order, payment_hooks):
    # given a card that asks for 3-D Secure
    _save_card(localstripe, buyer.organisation, THREE_D_SECURE)
    order = make_order(5_000)
    # when the buyer pays, the bank asks for authentication
    with pytest.raises(PaymentRequiresAction) as raised:
        start_card_payment(order.id, 5_000, "USD", buyer.organisation)
    intent = raised.value.intent
    assert intent.status == "requires_action" and intent.client_secret.startswith(intent.id + "_secret_")
    assert _payment(order.id).status == "requires_action"
    assert payment_hooks.succeeded == []
    # and when the buyer completes it in the browser and the app re-reads the intent (twice)
    localstripe.authenticate(intent.id, intent.client_secret, success=True)
    outcome = refresh_card_payment(order.id)
    refresh_card_payment(order.id)
    # then the payment succeeded, once
    assert outcome.succeeded
    assert _payment(order.id).status == "succeeded"
    assert payment_hooks.succeeded == [order.id]
    assert len(localstripe.payment_intents(order.id)) == 1


def test_a_failed_3d_secure_fails_the_payment_and_the_order_stays_payable(localstripe, buyer, make_order, payment_hooks):
    # given a payment waiting for 3-D Secure
    _save_card(localstripe, buyer.organisation, THREE_D_SECURE)
    order = make_order(5_000)
    with pytest.raises(PaymentRequiresAction) as raised:
        start_card_payment(order.id, 5_000, "USD", buyer.organisation)
    # when the buyer fails the authentication
    localstripe.authenticate(raised.value.intent.id, raised.value.intent.client_secret, success=False)
    outcome = refresh_card_payment(order.id)
    # then the payment failed with the bank's reason and nothing succeeded
    assert (outcome.status, outcome.attempts) == ("failed", 1)
    assert outcome.failure_message == "The provided PaymentMethod has failed authentication."
    assert payment_hooks.failed == [(order.id, "The provided PaymentMethod has failed authentication.")]
    assert payment_hooks.succeeded == []
    # and a second attempt with another card pays the same order
    visa = localstripe.card(VISA)
    second = start_card_payment(order.id, 5_000, "USD", buyer.organisation, visa, seen_attempts=1)
    assert (second.status, second.attempts) == ("succeeded", 2)
    assert payment_hooks.succeeded == [order.id]


def test_a_declined_card_keeps_the_banks_reason_and_the_order_stays_payable(localstripe, buyer, make_order, payment_hooks, monkeypatch):
    # given a card the bank declines at payment time (and the idempotency keys sent are recorded)
    keys = []
    create = gateway.create_payment_intent
    monkeypatch.setattr(gateway, "create_payment_intent", lambda *a, **k: keys.append(k["idempotency_key"]) or create(*a, **k))
    _save_card(localstripe, buyer.organisation, DECLINED_AT_PAYMENT)
    order = make_order(7_700)
    # when the buyer pays, then double-submits the same form
    with pytest.raises(CardDeclined) as declined:
        start_card_payment(order.id, 7_700, "USD", buyer.organisation)
    with pytest.raises(CardDeclined):
        start_card_payment(order.id, 7_700, "USD", buyer.organisation, seen_attempts=0)
    # then the buyer sees the bank's reason, the payment failed, and the double submit made no intent
    assert declined.value.buyer_message == "Your card was declined."
    payment = _payment(order.id)
    assert (payment.status, payment.attempts, payment.failure_message) == ("failed", 1, "Your card was declined.")
    assert len(localstripe.payment_intents(order.id)) == 1
    assert payment_hooks.succeeded == []
    assert payment_hooks.failed == [(order.id, "Your card was declined.")]
    # when the buyer tries again with a good card (having seen attempt 1 fail)
    outcome = start_card_payment(order.id, 7_700, "USD", buyer.organisation, localstripe.card(VISA), seen_attempts=1)
    # then attempt 2 has its own intent, the failed one is cancelled, and the order is paid once
    assert (outcome.status, outcome.attempts) == ("succeeded", 2)
    statuses = sorted(intent["status"] for intent in localstripe.payment_intents(order.id))
    assert statuses == ["canceled", "succeeded"]
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    assert payment_hooks.succeeded == [order.id]
    assert keys == [f"order-{order.id}-{order.idempotency_key}-attempt-1", f"order-{order.id}-{order.idempotency_key}-attempt-2"]


def test_fifty_concurrent_pay_submits_create_one_payment_intent_and_one_payment_row(app, localstripe, buyer, make_order, payment_hooks):
    # given an order and a card on file
    _save_card(localstripe, buyer.organisation, VISA)
    order_id, organisation_id = make_order(9_900).id, buyer.organisation.id
    db.session.remove()
    outcomes, errors = [], []
    start = threading.Barrier(50)

    def pay() -> None:
        with app.app_context():
            from app.accounts.models import Organisation

            organisation = db.session.get(Organisation, organisation_id)
            db.session.rollback()  # give the connection back while waiting for the others
            start.wait(timeout=30)
            try:
                outcomes.append(start_card_payment(order_id, 9_900, "USD", organisation).status)
            except Exception as error:  # collected, asserted below
                errors.append(repr(error))
            finally:
                db.session.remove()

    # when fifty submits of "pay" arrive at once
    threads = [threading.Thread(target=pay) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then every one reports the payment succeeded, and exactly one intent and one row exist
    assert errors == []
    assert outcomes == ["succeeded"] * 50
    assert len(localstripe.payment_intents(order_id)) == 1
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    assert payment_hooks.succeeded == [order_id]


def test_paying_without_a_card_on_file_raises_and_writes_no_payment(localstripe, buyer, make_order):
    order = make_order(1_000)
    with pytest.raises(NoCardOnFile):
        start_card_payment(order.id, 1_000, "USD", buyer.organisation)
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    assert localstripe.payment_intents() == []


def test_a_provider_outage_records_no_attempt(app, localstripe, buyer, make_order, payment_hooks):
    # given a card on file, then the provider becomes unreachable
    _save_card(localstripe, buyer.organisation, VISA)
    order = make_order(1_000)
    app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{free_port()}"
    # when the buyer pays
    with pytest.raises(PaymentProviderError) as raised:
        start_card_payment(order.id, 1_000, "USD", buyer.organisation)
    # then the buyer sees a generic message and nothing was recorded
    assert "payment provider" in raised.value.buyer_message
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    assert payment_hooks.succeeded == [] and payment_hooks.failed == []


def test_a_refund_marks_the_payment_refunded_once(localstripe, buyer, make_order, payment_hooks):
    # given a paid order
    _save_card(localstripe, buyer.organisation, VISA)
    order = make_order(4_200)
    start_card_payment(order.id, 4_200, "USD", buyer.organisation)
    # when it is refunded in full
    outcome = refund_card_payment(order.id)
    # then the payment is refunded at the provider and here, and the hook ran once
    assert outcome.status == "refunded"
    assert _payment(order.id).amount_refunded == 4_200
    assert payment_hooks.refunded == [order.id]
    with pytest.raises(ValueError):
        refund_card_payment(order.id)

"""POST /payments/stripe/webhook: verified signatures, each event applied once, in any order."""
from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.payments.cards import set_default_card
from app.payments.errors import PaymentRequiresAction
from app.payments.models import Payment, ProcessedWebhookEvent
from app.payments.service import refresh_card_payment, start_card_payment
from tests.stripe_support import THREE_D_SECURE, VISA, WEBHOOK_SECRET, event, signed_event

URL = "/payments/stripe/webhook"


def _payment(order_id: int) -> Payment:
    db.session.expire_all()
    return db.session.scalar(select(Payment).where(Payment.order_id == order_id))


def _authenticated_3ds_payment(localstripe, buyer, make_order, total=5_000) -> tuple[int, dict]:
    """An order whose payment waits for 3-D Secure here, while at the provider the buyer has
    already completed it (the app has not heard yet)."""
    set_default_card(buyer.organisation, localstripe.card(THREE_D_SECURE))
    order = make_order(total)
    with pytest.raises(PaymentRequiresAction) as raised:
        start_card_payment(order.id, total, "USD", buyer.organisation)
    intent = raised.value.intent
    localstripe.authenticate(intent.id, intent.client_secret, success=True)
    return order.id, localstripe.payment_intent(intent.id)


def _post(client, body: bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post(URL, data=body, headers=headers)


def _tamper(body: bytes, signature: str) -> tuple[bytes, str]:
    return body.replace(b'"succeeded"', b'"failed"', 1) + b" ", signature


@pytest.mark.parametrize("forge", [
    pytest.param(lambda e: _tamper(*signed_event(e)), id="bad-signature"),
    pytest.param(lambda e: signed_event(e, secret="whsec_someone_else"), id="wrong-secret"),
    pytest.param(lambda e: (signed_event(e)[0], None), id="missing-header"),
    pytest.param(lambda e: signed_event(e, timestamp=int(time.time()) - 301), id="stale-timestamp"),
    pytest.param(lambda e: (signed_event(e)[0], "t=abc,v1=nothex"), id="garbled-header"),
])
def test_a_webhook_that_does_not_verify_is_refused_and_writes_nothing(client, localstripe, buyer, make_order, payment_hooks, forge):
    # given a payment the provider has completed, and an event saying so that does not verify
    order_id, intent = _authenticated_3ds_payment(localstripe, buyer, make_order)
    body, signature = forge(event("evt_forged", "payment_intent.succeeded", intent))
    # when it is posted
    response = _post(client, body, signature)
    # then it is refused and nothing changed
    assert response.status_code == 400
    assert response.json == {"error": "invalid signature"}
    assert db.session.scalar(select(func.count(ProcessedWebhookEvent.id))) == 0
    assert _payment(order_id).status == "requires_action"
    assert payment_hooks.succeeded == []


def test_a_signed_event_completes_the_payment(client, localstripe, buyer, make_order, payment_hooks):
    order_id, intent = _authenticated_3ds_payment(localstripe, buyer, make_order)
    response = _post(client, *signed_event(event("evt_ok", "payment_intent.succeeded", intent)))
    assert response.status_code == 200
    assert response.json == {"received": True, "result": "payment succeeded"}
    assert _payment(order_id).status == "succeeded"
    assert payment_hooks.succeeded == [order_id]
    assert db.session.scalars(select(ProcessedWebhookEvent.event_id)).all() == ["evt_ok"]


def test_the_same_event_three_times_shuffled_with_others_on_threads_takes_effect_once(live_app, localstripe, buyer, make_order, payment_hooks):
    # given two orders the buyer has authenticated at the provider, and a third already paid
    first, first_intent = _authenticated_3ds_payment(localstripe, buyer, make_order, 5_000)
    second, second_intent = _authenticated_3ds_payment(localstripe, buyer, make_order, 6_000)
    set_default_card(buyer.organisation, localstripe.card(VISA))
    paid = make_order(7_000).id
    start_card_payment(paid, 7_000, "USD", buyer.organisation)
    payment_hooks.succeeded.clear()
    # and deliveries: the first's success three times, the second's twice, a late "failed" for
    # the first (out of order), and an event type we do not handle
    deliveries = (
        [event("evt_first_ok", "payment_intent.succeeded", first_intent)] * 3
        + [event("evt_second_ok", "payment_intent.succeeded", second_intent)] * 2
        + [event("evt_first_failed_late", "payment_intent.payment_failed", {**first_intent, "status": "requires_payment_method"})]
        + [event("evt_customer", "customer.updated", {"id": "cus_x", "object": "customer"})]
    )
    random.Random(5).shuffle(deliveries)
    # when they arrive on several threads at once
    with ThreadPoolExecutor(max_workers=7) as pool:
        responses = list(pool.map(lambda e: requests.post(live_app + URL, data=signed_event(e)[0], timeout=30,
                                                          headers={"Stripe-Signature": signed_event(e)[1], "Content-Type": "application/json"}),
                                  deliveries))
    # then all are acknowledged, and each payment succeeded exactly once
    assert [r.status_code for r in responses] == [200] * 7
    assert sorted(r.json()["result"] for r in responses) == sorted(
        ["duplicate", "duplicate", "duplicate", "ignored", "no change", "payment succeeded", "payment succeeded"])
    assert sorted(payment_hooks.succeeded) == sorted([first, second])
    assert payment_hooks.failed == []
    assert (_payment(first).status, _payment(second).status, _payment(paid).status) == ("succeeded",) * 3
    assert sorted(db.session.scalars(select(ProcessedWebhookEvent.event_id))) == ["evt_first_failed_late", "evt_first_ok", "evt_second_ok"]


def test_a_refund_event_marks_the_payment_refunded_once(client, localstripe, buyer, make_order, payment_hooks):
    # given a paid order refunded at the provider's dashboard
    set_default_card(buyer.organisation, localstripe.card(VISA))
    order = make_order(3_000)
    outcome = start_card_payment(order.id, 3_000, "USD", buyer.organisation)
    charge = {"id": "ch_dashboard", "object": "charge", "payment_intent": outcome.provider_intent_id,
              "amount": 3_000, "amount_refunded": 3_000, "refunded": True}
    # when the charge.refunded event arrives twice
    first = _post(client, *signed_event(event("evt_refund", "charge.refunded", charge)))
    second = _post(client, *signed_event(event("evt_refund", "charge.refunded", charge)))
    # then the payment is refunded, once
    assert (first.json["result"], second.json["result"]) == ("payment refunded", "duplicate")
    assert (_payment(order.id).status, _payment(order.id).amount_refunded) == ("refunded", 3_000)
    assert payment_hooks.refunded == [order.id]


def test_an_unknown_event_type_is_answered_200_and_not_stored(client, localstripe):
    response = _post(client, *signed_event(event("evt_unknown", "invoice.created", {"id": "in_1", "object": "invoice"})))
    assert (response.status_code, response.json["result"]) == (200, "ignored")
    assert db.session.scalar(select(func.count(ProcessedWebhookEvent.id))) == 0


def test_the_webhook_is_csrf_exempt_and_the_card_form_is_not(make_app, localstripe, buyer, make_order):
    # given an app that checks CSRF tokens
    app = make_app(csrf=True, STRIPE_API_BASE=localstripe.base, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    client = app.test_client()
    # when a signed event (no CSRF token) and a tokenless card form are posted
    webhook = _post(client, *signed_event(event("evt_unknown_csrf", "invoice.created", {"id": "in_2"})))
    client.post("/sign-in", data={"email": buyer.admin.email, "password": "Correct-horse-42"})
    card_form = client.post("/payments/card", data={"setup_intent_id": "seti_x"})
    # then the webhook is answered and the form is refused for its missing token
    assert webhook.status_code == 200
    assert card_form.status_code == 400


def test_webhooks_delivered_by_localstripe_complete_a_payment_once_with_the_app_confirming_too(live_app, localstripe, buyer, make_order, payment_hooks):
    # given localstripe delivers its events to the running app
    localstripe.register_webhook(live_app + URL, WEBHOOK_SECRET, events=("payment_intent.succeeded", "payment_intent.payment_failed"))
    try:
        set_default_card(buyer.organisation, localstripe.card(THREE_D_SECURE))
        order = make_order(8_800)
        with pytest.raises(PaymentRequiresAction) as raised:
            start_card_payment(order.id, 8_800, "USD", buyer.organisation)
        # when the buyer completes 3-D Secure and the provider's webhook arrives (about 1 s later)
        localstripe.authenticate(raised.value.intent.id, raised.value.intent.client_secret, success=True)
        deadline = time.monotonic() + 10
        while _payment(order.id).status != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.1)
        after_webhook = _payment(order.id).status
        # and the browser's return makes the app re-read the intent as well
        outcome = refresh_card_payment(order.id)
    finally:
        localstripe.unregister_webhook()
    # then the webhook completed the payment, and the succeeded effect ran once
    assert after_webhook == "succeeded"
    assert outcome.succeeded
    assert payment_hooks.succeeded == [order.id]

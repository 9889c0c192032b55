"""The first payment with a card authenticated when it was saved: made off-session in one
request, as Stripe documents; when the bank still wants the cardholder
(``authentication_required``), that intent is cancelled and the payment made on-session. A
fake client plays Stripe here: localstripe accepts ``off_session`` but ignores it."""
from types import SimpleNamespace

import pytest
import stripe

from app.payments import gateway
from app.payments.models import PaymentStatus, can_transition


class FakeIntents:
    """Stripe's PaymentIntents as documented for card 4000002500003155 set up for off-session use,
    or, with ``bank_insists``, a bank that asks for authentication anyway."""

    def __init__(self, bank_insists: bool) -> None:
        self.bank_insists, self.calls, self.intents = bank_insists, [], {}

    def _intent(self, intent_id, status, error=None):
        data = {"id": intent_id, "status": status, "client_secret": f"{intent_id}_secret", "amount": 1980, "currency": "usd",
                "metadata": {}, "payment_method": None if error else "pm_card", "last_payment_error": error}
        self.intents[intent_id] = data
        return SimpleNamespace(id=intent_id, to_dict=lambda: dict(self.intents[intent_id]))

    def create(self, params, options):
        self.calls.append(("create", {k: params.get(k) for k in ("confirm", "off_session")}, options["idempotency_key"]))
        intent_id = f"pi_{len(self.intents) + 1}"
        if params.get("off_session") and self.bank_insists:
            error = {"code": "authentication_required", "message": "This payment requires authentication.",
                     "payment_method": {"id": "pm_card"}}
            self._intent(intent_id, "requires_payment_method", error)
            raise stripe.CardError("This payment requires authentication.", None, "authentication_required",
                                   json_body={"error": {**error, "payment_intent": {"id": intent_id}}})
        return self._intent(intent_id, "succeeded" if params.get("off_session") else "requires_confirmation")

    def confirm(self, intent_id, options):
        self.calls.append(("confirm", intent_id, options["idempotency_key"]))
        return self._intent(intent_id, "requires_action")

    def retrieve(self, intent_id):
        return SimpleNamespace(to_dict=lambda: dict(self.intents[intent_id]))

    def cancel(self, intent_id):
        self.calls.append(("cancel", intent_id))
        self.intents[intent_id]["status"] = "canceled"
        return self.retrieve(intent_id)


@pytest.fixture
def fake_stripe(monkeypatch):
    def install(bank_insists: bool) -> FakeIntents:
        intents = FakeIntents(bank_insists)
        client = SimpleNamespace(v1=SimpleNamespace(payment_intents=intents))
        monkeypatch.setattr(gateway, "_client", lambda: client)
        return intents

    return install


def _pay(off_session: bool) -> gateway.IntentResult:
    return gateway.create_payment_intent(1980, "USD", "cus_1", "pm_card", idempotency_key="order-1-key-attempt-1",
                                         metadata={"order_id": "1"}, off_session=off_session)


def test_a_freshly_authenticated_card_is_charged_off_session_without_a_second_challenge(fake_stripe):
    intents = fake_stripe(bank_insists=False)
    result = _pay(off_session=True)
    assert (result.status, result.failure_code) == ("succeeded", None)
    assert intents.calls == [("create", {"confirm": True, "off_session": True}, "order-1-key-attempt-1")]


def test_when_the_bank_still_asks_the_off_session_intent_is_cancelled_and_the_buyer_asked_on_session(fake_stripe):
    intents = fake_stripe(bank_insists=True)
    result = _pay(off_session=True)
    assert (result.id, result.status) == ("pi_2", "requires_action")
    assert intents.calls == [
        ("create", {"confirm": True, "off_session": True}, "order-1-key-attempt-1"),
        ("cancel", "pi_1"),
        ("create", {"confirm": None, "off_session": None}, "order-1-key-attempt-1:on-session"),
        ("confirm", "pi_2", "order-1-key-attempt-1:on-session:confirm"),
    ]


def test_other_payments_are_made_on_session_as_before(fake_stripe):
    intents = fake_stripe(bank_insists=True)
    assert _pay(off_session=False).status == "requires_action"
    assert [call[0] for call in intents.calls] == ["create", "confirm"]


def test_a_payment_cancelled_with_its_order_is_final():
    assert all(can_transition(state, "canceled") for state in ("requires_payment_method", "requires_action", "failed"))
    assert not any(can_transition("canceled", state.value) for state in PaymentStatus)
    assert not can_transition("succeeded", "canceled") and not can_transition("processing", "canceled")

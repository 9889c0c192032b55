"""Card payments of orders: one Payment row per order, one PaymentIntent per attempt.

The rule: the Payment row is inserted (or found) and locked first; a PaymentIntent is created
only while holding that lock, only when no attempt is open, and its id is recorded in the same
transaction. So any number of concurrent "pay" calls for one order create one PaymentIntent and
one row; the provider is never relied upon to deduplicate (localstripe does not).

Attempts: a declined card (or failed 3-D Secure) leaves the order payable again. A new attempt,
with a new PaymentIntent and an idempotency key derived from the order and the attempt number
(``order-<id>-<order's token>-attempt-<n>``), starts only when
the caller says which attempt it saw fail (``seen_attempts``): a double submit of the first
"pay" (``seen_attempts=0``) after attempt 1 exists does not start attempt 2. The previous,
failed intent is cancelled so a stale browser cannot complete it.

Status changes go through ``_record_intent``, under the row lock; entering ``succeeded`` runs
the "succeeded" hook (``app.payments.hooks``), so it runs exactly once per order whichever of
the confirm response and the webhook reports success first.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from app.core.clock import current_now
from app.core.locks import insert_if_absent, locked
from app.extensions import db
from app.payments import gateway
from app.payments.cards import ensure_payment_account, freshly_set_up, note_card_outcome
from app.payments.errors import CardDeclined, NoCardOnFile, PaymentCanceled, PaymentProviderError, PaymentRequiresAction
from app.payments.hooks import run_payment_hook
from app.payments.models import OPEN_STATUSES, Payment, PaymentStatus, can_transition

log = logging.getLogger(__name__)
S = PaymentStatus
DECLINED = "Your card was declined."

# Stripe's PaymentIntent status -> ours, for an intent that has been confirmed.
INTENT_STATUS = {
    "succeeded": S.SUCCEEDED,
    "requires_action": S.REQUIRES_ACTION,
    "requires_confirmation": S.REQUIRES_ACTION,
    "processing": S.PROCESSING,
    "requires_capture": S.PROCESSING,
    "requires_payment_method": S.FAILED,
    "canceled": S.FAILED,
}


@dataclass(frozen=True)
class PaymentOutcome:
    order_id: int
    status: str
    attempts: int
    provider_intent_id: str | None
    failure_message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == S.SUCCEEDED.value


def start_card_payment(order_id: int, amount: int, currency: str, organisation, payment_method_id: str | None = None,
                       *, seen_attempts: int = 0, now: datetime | None = None) -> PaymentOutcome:
    """Pay order ``order_id`` by card (``payment_method_id`` or the organisation's saved card).

    Returns the outcome when the payment succeeded (or is processing). Raises ``CardDeclined``
    with the bank's reason, ``PaymentRequiresAction`` with the intent to complete in the
    browser, ``NoCardOnFile``, or ``PaymentProviderError`` (nothing recorded). Commits its own
    transactions: call it with nothing pending. ``seen_attempts`` is the number of attempts the
    buyer had seen when submitting (0 the first time; ``outcome.attempts`` after a decline)."""
    return _pay_on_session("order_id", order_id, amount, currency, organisation, payment_method_id, seen_attempts, now)


def _pay_on_session(key: str, value: int, amount: int, currency: str, organisation, payment_method_id: str | None,
                    seen_attempts: int, now: datetime | None) -> PaymentOutcome:
    """The payer is there: charge the payment of an order or invoice (``key`` names which),
    leaving 3-D Secure to the browser. Commits."""
    now = now or current_now()
    account = ensure_payment_account(organisation)
    payment_method_id = payment_method_id or account.default_payment_method_id
    if not payment_method_id:
        raise NoCardOnFile()
    payment = _locked_payment(key, value, amount, currency, now)
    off_session = freshly_set_up(account, payment_method_id, now)
    try:
        intent = _advance(payment, account.stripe_customer_id, payment_method_id, amount, currency, seen_attempts, now,
                          off_session=off_session)
    except Exception:
        db.session.rollback()
        raise
    outcome = _outcome(payment)
    db.session.commit()
    return _outcome_or_raise(outcome, intent)


def _advance(payment: Payment, customer_id: str, payment_method_id: str, amount: int, currency: str,
             seen_attempts: int, now: datetime, off_session: bool = False) -> gateway.IntentResult | None:
    """Under the row lock: start a new attempt when one may start, else catch up an open one.
    ``off_session``: pay on the authentication the card was just saved with (see
    ``gateway.create_payment_intent``)."""
    if payment.status in {status.value for status in OPEN_STATUSES}:
        intent = gateway.retrieve_payment_intent(payment.provider_intent_id)
        _record_intent(payment, intent, now)
        return intent
    may_start = payment.status in (S.REQUIRES_PAYMENT_METHOD.value, S.FAILED.value) and payment.attempts == seen_attempts
    if not may_start:
        return None  # paid, refunded, or a repeated submit of an attempt that already ran
    if payment.status == S.FAILED.value:
        _cancel_quietly(payment.provider_intent_id)
        _transition(payment, S.REQUIRES_PAYMENT_METHOD, now)
    payment.attempts += 1
    payment.amount, payment.currency = amount, currency.upper()
    subject = {"order_id": str(payment.order_id)} if payment.order_id else {"invoice_id": str(payment.invoice_id)}
    intent = gateway.create_payment_intent(
        amount, currency, customer_id, payment_method_id, idempotency_key=_idempotency_key(payment),
        metadata={**subject, "attempt": str(payment.attempts)}, off_session=off_session,
    )
    payment.provider_intent_id = intent.id
    _record_intent(payment, intent, now)
    return intent


def _idempotency_key(payment: Payment) -> str:
    """Derived from the order and the attempt: the same attempt asked twice (a retry after a
    crash before commit) gets the same key. The order's own unique token keeps keys of two
    environments sharing one Stripe account (same order ids) apart."""
    if payment.order_id is None:  # an invoice's own number tells environments apart the same way
        return f"invoice-{payment.invoice_id}-{payment.invoice.number}-attempt-{payment.attempts}"
    return f"order-{payment.order_id}-{payment.order.idempotency_key}-attempt-{payment.attempts}"


def _outcome(payment: Payment) -> PaymentOutcome:
    return PaymentOutcome(payment.order_id, payment.status, payment.attempts, payment.provider_intent_id, payment.failure_message)


def _outcome_or_raise(outcome: PaymentOutcome, intent: gateway.IntentResult | None) -> PaymentOutcome:
    if outcome.status == S.CANCELED.value:
        raise PaymentCanceled()
    if outcome.status == S.FAILED.value:
        raise CardDeclined(outcome.failure_message or DECLINED)
    if outcome.status == S.REQUIRES_ACTION.value:
        raise PaymentRequiresAction(intent or gateway.retrieve_payment_intent(outcome.provider_intent_id))
    return outcome


def _cancel_quietly(intent_id: str | None) -> None:
    if not intent_id:
        return
    try:
        gateway.cancel_payment_intent(intent_id)
    except PaymentProviderError as error:  # it failed already; cancelling only tidies up
        log.warning("could not cancel failed payment intent %s: %s", intent_id, error)


def _transition(payment: Payment, new: PaymentStatus, now: datetime) -> None:
    payment.status = new.value
    payment.updated_at = now


def _record_intent(payment: Payment, intent: gateway.IntentResult, now: datetime) -> bool:
    """Move the (locked) payment to the intent's state; run the hook of a real change only."""
    new = INTENT_STATUS.get(intent.status)
    if new is None or new.value == payment.status:
        return False
    if not can_transition(payment.status, new.value):
        log.info("payment of order %s: ignoring %s while %s", payment.order_id, new.value, payment.status)
        return False
    _transition(payment, new, now)
    note_card_outcome(intent, now)
    if new == S.SUCCEEDED:
        payment.succeeded_at, payment.failure_message = now, ""
        if payment.order_id is None:
            run_payment_hook("invoice_succeeded", payment.invoice_id, now)
        else:
            run_payment_hook("succeeded", payment.order_id)
    elif new == S.FAILED:
        payment.failure_message = (intent.failure_message or DECLINED)[:500]
        if payment.order_id is None:
            run_payment_hook("invoice_failed", payment.invoice_id, payment.failure_message, now)
        else:
            run_payment_hook("failed", payment.order_id, payment.failure_message)
    return True


def refresh_card_payment(order_id: int, now: datetime | None = None) -> PaymentOutcome | None:
    """Re-read the order's current intent from the provider and record its state (after the
    buyer completed 3-D Secure in the browser). Commits. ``None`` when the order has no payment."""
    return _refresh("order_id", order_id, now)


def _refresh(key: str, value: int, now: datetime | None) -> PaymentOutcome | None:
    now = now or current_now()
    payment = locked(select(Payment).where(getattr(Payment, key) == value))
    if payment is None:
        db.session.rollback()
        return None
    try:
        if payment.provider_intent_id and payment.status in {s.value for s in OPEN_STATUSES} | {S.REQUIRES_PAYMENT_METHOD.value}:
            _record_intent(payment, gateway.retrieve_payment_intent(payment.provider_intent_id), now)
    except Exception:
        db.session.rollback()
        raise
    outcome = _outcome(payment)
    db.session.commit()
    return outcome


def apply_intent_update(intent_id: str, order_id: int | None, now: datetime) -> str:
    """A provider event about ``intent_id``: re-read the intent (events may come late, twice or
    out of order) and record its state on the order's payment. Runs in the caller's
    transaction, under the payment's row lock. Returns what it did, for the log."""
    statement = select(Payment).where(Payment.order_id == order_id) if order_id else select(Payment).where(Payment.provider_intent_id == intent_id)
    payment = locked(statement)
    if payment is None:
        return "no payment for this intent"
    if payment.provider_intent_id != intent_id:
        return "intent of an earlier attempt"
    changed = _record_intent(payment, gateway.retrieve_payment_intent(intent_id), now)
    return f"payment {payment.status}" if changed else "no change"


def apply_refund_update(intent_id: str, amount_refunded: int, now: datetime) -> str:
    """A provider event saying ``amount_refunded`` of ``intent_id``'s charge is refunded.
    Runs in the caller's transaction."""
    payment = locked(select(Payment).where(Payment.provider_intent_id == intent_id))
    if payment is None:
        return "no payment for this intent"
    return _record_refund(payment, amount_refunded, now)


def _record_refund(payment: Payment, amount_refunded: int, now: datetime) -> str:
    if amount_refunded <= payment.amount_refunded:
        return "no change"
    payment.amount_refunded = min(amount_refunded, payment.amount)
    payment.updated_at = now
    if payment.amount_refunded >= payment.amount and can_transition(payment.status, S.REFUNDED.value):
        _transition(payment, S.REFUNDED, now)
        run_payment_hook("refunded", payment.order_id)
        return "payment refunded"
    return "partly refunded"


def refund_card_payment(order_id: int, amount: int | None = None, now: datetime | None = None) -> PaymentOutcome:
    """Refund a succeeded card payment (in full by default). Commits."""
    now = now or current_now()
    payment = locked(select(Payment).where(Payment.order_id == order_id))
    if payment is None or payment.status != S.SUCCEEDED.value:
        db.session.rollback()
        raise ValueError(f"order {order_id} has no succeeded card payment to refund")
    amount = amount or payment.amount - payment.amount_refunded
    try:
        refund = gateway.refund(payment.provider_intent_id, f"order-{order_id}-refund-{payment.amount_refunded + amount}", amount)
        _record_refund(payment, payment.amount_refunded + refund.amount, now)
    except Exception:
        db.session.rollback()
        raise
    outcome = _outcome(payment)
    db.session.commit()
    return outcome


OFF_SESSION_ACTION = "Your bank asked you to confirm this payment, which cannot be done automatically."


def charge_invoice(invoice_id: int, amount: int, currency: str, organisation, now: datetime) -> PaymentOutcome:
    """Charge invoice ``invoice_id`` off-session (renewals, prorations) to the organisation's
    saved card: one Payment row per invoice, a new attempt (PaymentIntent) per call while the
    previous one failed, none once it succeeded or while one is open. An intent that asks for
    3-D Secure is cancelled (nobody is there to answer): that attempt failed. The outcome goes
    through the "invoice_succeeded"/"invoice_failed" hooks, once per attempt. Commits; call it
    with nothing pending. Raises ``NoCardOnFile`` or ``PaymentProviderError`` (nothing charged)."""
    account = ensure_payment_account(organisation)
    if not account.default_payment_method_id:
        raise NoCardOnFile()
    payment = _locked_payment("invoice_id", invoice_id, amount, currency, now)
    try:
        _advance(payment, account.stripe_customer_id, account.default_payment_method_id, amount, currency,
                 payment.attempts, now)
        if payment.status == S.REQUIRES_ACTION.value:
            cancelled = gateway.cancel_payment_intent(payment.provider_intent_id)
            _record_intent(payment, replace(cancelled, failure_message=OFF_SESSION_ACTION), now)
    except Exception:
        db.session.rollback()
        raise
    outcome = _outcome(payment)
    db.session.commit()
    return outcome


def lock_order_payment(order_id: int, amount: int, currency: str, now: datetime) -> Payment:
    """The order's Payment row, created when the buyer never tried to pay, and locked: whoever
    holds it decides whether an attempt may start (``start_card_payment`` takes the same lock
    first). In the caller's transaction; lock it before the order's row, as the hooks do."""
    return _locked_payment("order_id", order_id, amount, currency, now)


def cancel_order_payment(payment: Payment, now: datetime) -> bool:
    """Close the (locked) payment of an order being cancelled unpaid: its open or failed
    PaymentIntent is cancelled at the provider (so no browser can complete it) and no attempt
    may start any more. False, and nothing cancelled, when the money may already be moving:
    the payment succeeded (the intent is re-read: a success runs the "succeeded" hook now) or
    is processing. Raises ``PaymentProviderError`` when the provider cannot be asked (the
    caller rolls back and tries later). In the caller's transaction; not committed."""
    if payment.status in (S.SUCCEEDED.value, S.PROCESSING.value, S.REFUNDED.value):
        return False
    if payment.status == S.CANCELED.value:
        return True
    if payment.provider_intent_id:
        intent = gateway.retrieve_payment_intent(payment.provider_intent_id)
        if intent.status not in ("requires_payment_method", "requires_confirmation", "requires_action", "canceled"):
            _record_intent(payment, intent, now)
            return False
        if intent.status != "canceled":
            gateway.cancel_payment_intent(payment.provider_intent_id)
    _transition(payment, S.CANCELED, now)
    return True


def _locked_payment(key: str, value: int, amount: int, currency: str, now: datetime) -> Payment:
    """The one Payment row of an order or invoice (``key`` names which), created on first use
    (safe under concurrent inserts) and row-locked before anything may create an intent."""
    insert_if_absent(Payment, {key: value, "amount": amount, "currency": currency.upper(),
                               "status": S.REQUIRES_PAYMENT_METHOD.value, "attempts": 0,
                               "created_at": now, "updated_at": now}, key=key)
    return locked(select(Payment).where(getattr(Payment, key) == value))


def start_invoice_payment(invoice_id: int, amount: int, currency: str, organisation, *, seen_attempts: int = 0,
                          now: datetime | None = None) -> PaymentOutcome:
    """Pay invoice ``invoice_id`` now, on-session, with the organisation's saved card: the
    invoice's one Payment row (shared with the off-session charges of ``charge_invoice``), a
    new attempt only when the payer saw the previous one fail (``seen_attempts``), as
    ``start_card_payment`` for an order, with the same outcome and refusals (3-D Secure:
    ``PaymentRequiresAction``, then ``refresh_invoice_payment``). The outcome goes through the
    "invoice_succeeded"/"invoice_failed" hooks. Commits; call it with nothing pending."""
    return _pay_on_session("invoice_id", invoice_id, amount, currency, organisation, None, seen_attempts, now)


def refresh_invoice_payment(invoice_id: int, now: datetime | None = None) -> PaymentOutcome | None:
    """Re-read the invoice's current intent from the provider and record its state (after the
    payer completed 3-D Secure in the browser). Commits. ``None`` when it has no payment."""
    return _refresh("invoice_id", invoice_id, now)

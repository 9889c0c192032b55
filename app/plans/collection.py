"""Collecting card invoices of subscriptions (renewals, prorations) and dunning.

A card invoice sets the subscription's ``next_charge_attempt_at``; the charge duty
(``collect_due_charge``) charges its open card invoices off-session through the payments
service. The outcome arrives through the payment hooks registered here, once per attempt, in
the transaction that records it: paid -> the invoice is paid and, once nothing is left open,
dunning ends (a suspended subscription is resumed, with a ``resume`` request to its vendor);
declined -> ``record_charge_failure`` plans the next retry (1, 3, 5 days) or suspends (a
``suspend`` request). Lock order: payment, then subscription.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from app.billing.invoicing import mark_invoice_paid
from app.billing.models import Invoice, InvoiceKind, InvoiceStatus, PaymentMethodName
from app.extensions import db
from app.payments.errors import NoCardOnFile, PaymentError
from app.payments.hooks import register_payment_hook
from app.payments.service import charge_invoice
from app.plans.hooks import tell_vendor
from app.plans.lifecycle import record_charge_failure, record_charge_success
from app.plans.models import Subscription
from app.plans.states import SubscriptionStatus
from app.plans.store import lock_subscription

log = logging.getLogger(__name__)
S = SubscriptionStatus
DUNNED_STATUSES = frozenset({S.ACTIVE.value, S.CANCELED.value, S.SUSPENDED.value})


# Every lifecycle invoice names its subscription (``app.plans.invoicing.issue_invoice``): the
# renewals of its billing periods, the prorations of its change orders and its credit notes.
LIFECYCLE_CHARGES = (InvoiceKind.RENEWAL.value, InvoiceKind.PRORATION.value)


def open_card_invoices(subscription_id: int) -> list:
    """The subscription's renewal and change invoices still to be charged to its card."""
    return list(db.session.scalars(
        select(Invoice).where(Invoice.subscription_id == subscription_id, Invoice.kind.in_(LIFECYCLE_CHARGES),
                              Invoice.status == InvoiceStatus.OPEN.value,
                              Invoice.payment_method == PaymentMethodName.CARD.value,
                              Invoice.total > 0).order_by(Invoice.id)
    ))


def subscription_of_invoice(invoice_id: int) -> int | None:
    """The subscription a renewal or change invoice charges, else None."""
    return db.session.scalar(select(Invoice.subscription_id)
                             .where(Invoice.id == invoice_id, Invoice.kind.in_(LIFECYCLE_CHARGES)))


def collect_due_charge(subscription_id: int, now: datetime) -> str:
    """Charges the subscription's open card invoices (its charge is due). Commits; returns
    what happened. A declined card is handled by the hooks; a missing card counts as declined;
    a provider outage leaves the charge due for the next run."""
    subscription = db.session.get(Subscription, subscription_id, populate_existing=True)
    if subscription.status not in DUNNED_STATUSES:
        lock_subscription(subscription_id).next_charge_attempt_at = None  # ended: nothing more to chase
        db.session.commit()
        return "ended"
    invoices = [(invoice.id, invoice.total, invoice.currency) for invoice in open_card_invoices(subscription_id)]
    payer = subscription.payer
    if not invoices:
        _charges_settled(subscription_id, now)
        db.session.commit()
        return "nothing open"
    db.session.commit()  # the payments service starts with nothing pending
    for invoice_id, total, currency in invoices:
        try:
            outcome = charge_invoice(invoice_id, total, currency, payer, now)
        except NoCardOnFile as missing:
            _charge_failed(subscription_id, missing.buyer_message, now)
            db.session.commit()
            return "no card"
        except PaymentError as error:
            log.warning("subscription %s: invoice %s not charged: %s", subscription_id, invoice_id, error)
            return "provider unavailable"
        if not outcome.succeeded:
            return outcome.status
    return "paid"


def _charges_settled(subscription_id: int, now: datetime) -> None:
    if record_charge_success(subscription_id, now):
        tell_vendor(db.session.get(Subscription, subscription_id), "resume", now)


def _charge_failed(subscription_id: int, message: str, now: datetime) -> None:
    subscription = lock_subscription(subscription_id)
    if subscription.status not in DUNNED_STATUSES:
        subscription.next_charge_attempt_at = None
        return
    was_suspended = subscription.status == S.SUSPENDED.value
    step = record_charge_failure(subscription_id, now)
    log.info("subscription %s: charge declined (%s); next: %s at %s", subscription_id, message, step.action.value, step.at)
    if step.suspends and not was_suspended:
        tell_vendor(subscription, "suspend", now)


def on_invoice_payment_succeeded(invoice_id: int, now: datetime) -> None:
    """Payment hook: the invoice is paid; dunning ends once nothing is left open."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice.status == InvoiceStatus.OPEN.value:
        mark_invoice_paid(invoice, now)
    subscription_id = subscription_of_invoice(invoice_id)
    db.session.flush()
    if subscription_id is not None and not open_card_invoices(subscription_id):
        _charges_settled(subscription_id, now)


def on_invoice_payment_failed(invoice_id: int, message: str, now: datetime) -> None:
    """Payment hook: the card was declined (or asked for 3-D Secure off-session)."""
    subscription_id = subscription_of_invoice(invoice_id)
    if subscription_id is not None:
        _charge_failed(subscription_id, message, now)


def register_hooks() -> None:
    register_payment_hook("invoice_succeeded", on_invoice_payment_succeeded)
    register_payment_hook("invoice_failed", on_invoice_payment_failed)


def charge_now(subscription_id: int, now: datetime) -> bool:
    """After the payer put a new card on file: its open card invoices are charged at the next
    duty run (a suspended subscription resumes once they are paid). False when none is open."""
    subscription = lock_subscription(subscription_id)
    if not open_card_invoices(subscription_id):
        return False
    subscription.next_charge_attempt_at = now
    return True

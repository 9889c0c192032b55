"""Paying an open invoice by card, on-session (the payer is at its panel): any open invoice it
pays, whether issued on account or a renewal or change that its card did not pay. The charge
goes through the payments service (``start_invoice_payment``); the invoice is marked paid by
the payment's "invoice_succeeded" hook, exactly once, whichever of the confirmed intent and the
webhook reports it first (``app.plans.collection``, which also ends any dunning).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.billing.models import Invoice, InvoiceStatus
from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.payments.errors import PaymentError
from app.payments.models import Payment
from app.payments.service import refresh_invoice_payment, start_invoice_payment
from app.payments.steps import PayStep, pay_step


class InvoiceNotPayable(Refusal):
    """The invoice cannot be paid (now, or by this organisation)."""

    kind = RefusalKind.CONFLICT


def payment_of_invoice(invoice: Invoice) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.invoice_id == invoice.id))


def card_payable(invoice: Invoice, organisation) -> bool:
    """Whether ``organisation`` may pay ``invoice`` by card now: it is its payer and the
    invoice is open with something to pay."""
    return (invoice.organisation_id == organisation.id and invoice.status == InvoiceStatus.OPEN.value
            and invoice.total > 0)


def _check_payable(invoice: Invoice, organisation) -> None:
    if invoice.organisation_id != organisation.id:
        raise InvoiceNotPayable(f"Invoice {invoice.number} is paid by {invoice.organisation.name}.", kind=RefusalKind.FORBIDDEN)
    if invoice.status == InvoiceStatus.PAID.value:
        raise InvoiceNotPayable(f"Invoice {invoice.number} is paid already.")
    if invoice.status != InvoiceStatus.OPEN.value:
        raise InvoiceNotPayable(f"Invoice {invoice.number} is {invoice.status}: there is nothing to pay.")
    if invoice.total <= 0:
        raise InvoiceNotPayable(f"Invoice {invoice.number} has nothing to pay.")


def pay_invoice_by_card(invoice: Invoice, organisation, seen_attempts: int = 0, now: datetime | None = None) -> PayStep:
    """Charges the open ``invoice`` to ``organisation``'s saved card, once per attempt
    (``seen_attempts``: the attempts the payer saw fail). Refuses (``InvoiceNotPayable``) an
    invoice it does not pay, one paid or void, or one of nothing; else says what comes next.
    Commits (through the payments service)."""
    _check_payable(invoice, organisation)
    invoice_id, total, currency = invoice.id, invoice.total, invoice.currency
    db.session.commit()  # the payments service starts with nothing pending
    return pay_step(lambda: start_invoice_payment(invoice_id, total, currency, organisation, seen_attempts=seen_attempts,
                                                  now=now))


def confirm_invoice_payment(invoice: Invoice, now: datetime | None = None) -> PayStep:
    """After 3-D Secure in the browser: re-reads the invoice's payment and says how it ended
    (``paid``, ``declined`` with the reason, or ``authenticate`` while the bank has not
    answered). Commits."""
    try:
        outcome = refresh_invoice_payment(invoice.id, now)
    except PaymentError as error:
        return PayStep("unavailable", error.message)
    if outcome is None:
        return PayStep("unavailable", "No card payment of this invoice is under way.")
    if outcome.succeeded:
        return PayStep("paid")
    if outcome.status == "failed":
        return PayStep("declined", outcome.failure_message)
    return PayStep("authenticate" if outcome.status == "requires_action" else "processing")

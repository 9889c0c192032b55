"""Paying an open invoice by card, on-session (the payer is at its panel): any open invoice it
pays, whether issued on account or a renewal or change that its card did not pay. The charge
goes through the payments service (``start_invoice_payment``); the invoice is marked paid by
the payment's "invoice_succeeded" hook, exactly once, whichever of the confirmed intent and the
webhook reports it first (``app.plans.collection``, which also ends any dunning).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.billing.models import Invoice, InvoiceStatus
from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.payments.errors import CardDeclined, NoCardOnFile, PaymentError, PaymentRequiresAction
from app.payments.models import Payment
from app.payments.service import refresh_invoice_payment, start_invoice_payment


class InvoiceNotPayable(Refusal):
    """The invoice cannot be paid (now, or by this organisation)."""

    kind = RefusalKind.CONFLICT


@dataclass(frozen=True)
class InvoicePayStep:
    """What the payer does next: ``paid``, ``processing``, ``authenticate`` (3-D Secure),
    ``declined`` (``message``: the bank's reason), ``add_card``, ``unavailable`` (try later)."""

    kind: str
    message: str = ""


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


def pay_invoice_by_card(invoice: Invoice, organisation, seen_attempts: int = 0, now: datetime | None = None) -> InvoicePayStep:
    """Charges the open ``invoice`` to ``organisation``'s saved card, once per attempt
    (``seen_attempts``: the attempts the payer saw fail). Refuses (``InvoiceNotPayable``) an
    invoice it does not pay, one paid or void, or one of nothing; else says what comes next.
    Commits (through the payments service)."""
    _check_payable(invoice, organisation)
    invoice_id, total, currency = invoice.id, invoice.total, invoice.currency
    db.session.commit()  # the payments service starts with nothing pending
    try:
        outcome = start_invoice_payment(invoice_id, total, currency, organisation, seen_attempts=seen_attempts, now=now)
    except CardDeclined as declined:
        return InvoicePayStep("declined", declined.message)
    except PaymentRequiresAction as action:
        return InvoicePayStep("authenticate", action.message)
    except NoCardOnFile as missing:
        return InvoicePayStep("add_card", missing.message)
    except PaymentError as error:
        return InvoicePayStep("unavailable", error.message)
    return InvoicePayStep("paid" if outcome.succeeded else "processing")


def confirm_invoice_payment(invoice: Invoice, now: datetime | None = None) -> InvoicePayStep:
    """After 3-D Secure in the browser: re-reads the invoice's payment and says how it ended
    (``paid``, ``declined`` with the reason, or ``authenticate`` while the bank has not
    answered). Commits."""
    try:
        outcome = refresh_invoice_payment(invoice.id, now)
    except PaymentError as error:
        return InvoicePayStep("unavailable", error.message)
    if outcome is None:
        return InvoicePayStep("unavailable", "No card payment of this invoice is under way.")
    if outcome.succeeded:
        return InvoicePayStep("paid")
    if outcome.status == "failed":
        return InvoicePayStep("declined", outcome.failure_message)
    return InvoicePayStep("authenticate" if outcome.status == "requires_action" else "processing")

"""A seller settles its on-account invoices by hand: a bank transfer arrived (mark paid), or the
charge is written off (void). Card invoices are settled through the payment provider only.

Each function locks the invoice row, checks who may act and what state allows it, applies the
one transition (``invoicing.mark_invoice_paid`` / ``void_invoice``) and writes the payer's
activity log entry, in the caller's transaction (nothing is committed here).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.accounts.activity import record_activity
from app.billing.invoicing import mark_invoice_paid, void_invoice
from app.billing.models import Invoice, InvoiceStatus, PaymentMethodName
from app.core.errors import Refusal, RefusalKind
from app.core.locks import locked
from app.money import Money

REFERENCE_MAX = 120
REASON_MAX = 500


class SettlementRefused(Refusal):
    """The invoice cannot be settled by hand (its state, its method, or who asks)."""

    kind = RefusalKind.CONFLICT


def _invoice_to_settle(invoice_id: int, seller) -> Invoice:
    """The invoice, locked, if ``seller`` issued it; another seller's invoice is not found."""
    invoice = locked(select(Invoice).where(Invoice.id == invoice_id))
    if invoice is None or invoice.seller_id != seller.id:
        raise SettlementRefused("No such invoice.", kind=RefusalKind.NOT_FOUND)
    if invoice.payment_method != PaymentMethodName.ON_ACCOUNT.value:
        raise SettlementRefused(f"Invoice {invoice.number} is paid by card: it is settled through the card payment, "
                                "not by hand.")
    if invoice.status != InvoiceStatus.OPEN.value:
        raise SettlementRefused(f"Invoice {invoice.number} is {invoice.status}: only an open invoice can be settled.")
    return invoice


def _clean(text: str | None, limit: int, what: str) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise SettlementRefused(f"Enter the {what}.", kind=RefusalKind.INVALID)
    if len(value) > limit:
        raise SettlementRefused(f"The {what} is too long: use at most {limit} characters.", kind=RefusalKind.INVALID)
    return value


def record_payment_received(invoice_id: int, seller, actor, reference: str, now: datetime) -> Invoice:
    """Marks the seller's open on-account invoice paid (the payer's transfer arrived), naming the
    payment's reference; its amount stops counting against the payer's credit limit at once."""
    reference = _clean(reference, REFERENCE_MAX, "payment reference")
    invoice = _invoice_to_settle(invoice_id, seller)
    mark_invoice_paid(invoice, now)
    amount = Money(invoice.total, invoice.currency)
    record_activity(invoice.organisation_id, "invoice.paid",
                    f"Invoice {invoice.number} ({amount}) marked paid: payment {reference}", actor=actor,
                    subject=invoice, now=now)
    return invoice


def write_off(invoice_id: int, seller, actor, reason: str, now: datetime) -> Invoice:
    """Voids the seller's open on-account invoice with the reason: it is never collected and
    no longer counts against the payer's credit limit. What it charged for is not undone."""
    reason = _clean(reason, REASON_MAX, "reason")
    invoice = _invoice_to_settle(invoice_id, seller)
    void_invoice(invoice, now)
    amount = Money(invoice.total, invoice.currency)
    record_activity(invoice.organisation_id, "invoice.voided", f"Invoice {invoice.number} ({amount}) voided: {reason}",
                    actor=actor, subject=invoice, now=now)
    return invoice

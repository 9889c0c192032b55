"""Invoices for orders and the credit an on-account organisation has left."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.billing.models import Invoice, InvoiceLine, InvoiceStatus
from app.catalog.reference import all_marketplaces
from app.core.numbering import next_number
from app.extensions import db
from app.money import Money

PAYMENT_TERMS = timedelta(days=30)  # net 30


def credit_currency(organisation) -> str | None:
    """Credit limits are in the currency of the organisation's own marketplace."""
    marketplace = all_marketplaces().by_id.get(organisation.marketplace_id)  # a snapshot: no query
    return marketplace.currency if marketplace is not None else None


def open_on_account_total(organisation_id: int, currency: str) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Invoice.total), 0)).where(
            Invoice.organisation_id == organisation_id,
            Invoice.currency == currency,
            Invoice.payment_method == "on_account",
            Invoice.status == InvoiceStatus.OPEN.value,
        )
    ) or 0


def remaining_credit(organisation) -> Money | None:
    """Credit limit minus the open on-account invoices; ``None`` without a credit limit.

    Callers that go on to spend it hold the organisation's row lock (see the checkout)."""
    currency = credit_currency(organisation)
    if organisation.credit_limit is None or currency is None:
        return None
    return Money(organisation.credit_limit - open_on_account_total(organisation.id, currency), currency)


def invoice_order(order, now: datetime, payment_method: str = "on_account", status: InvoiceStatus = InvoiceStatus.OPEN) -> Invoice:
    """An invoice for ``order`` (numbered, due in 30 days) with one line per charged item."""
    invoice = Invoice(
        number=next_number("INV", now), organisation_id=order.buyer_id, order=order, currency=order.currency,
        subtotal=order.subtotal, tax=order.tax, total=order.total, tax_rate_bp=order.tax_rate_bp,
        reverse_charge=order.reverse_charge, payment_method=payment_method, status=status.value,
        issued_at=now, due_at=now + PAYMENT_TERMS, paid_at=now if status is InvoiceStatus.PAID else None,
    )
    position = 0
    for line in order.lines:
        for item in line.items:
            if item.billed_later:
                continue
            position += 1
            invoice.lines.append(InvoiceLine(
                position=position, description=f"{line.description}: {item.description}", unit_price=item.unit_price,
                quantity=item.quantity, period_fraction=item.period_fraction, amount=item.subtotal,
            ))
    db.session.add(invoice)
    return invoice

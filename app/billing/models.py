"""Invoices: what an organisation owes, line by line, as issued (amounts never recomputed)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class InvoiceStatus(str, enum.Enum):
    OPEN = "open"  # issued, not paid: an on-account one counts against the credit limit
    PAID = "paid"
    VOID = "void"  # cancelled; never paid, never counted


# open -> paid | void; paid and void are final (a refund is a credit, not a change of the invoice).
INVOICE_TRANSITIONS: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.OPEN: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.VOID: frozenset(),
}


class InvoiceKind(str, enum.Enum):
    ORDER = "order"  # the order's charges at placing
    PRORATION = "proration"  # a mid-period increase
    RENEWAL = "renewal"  # a new period (prepaid) or the period just ended (postpaid)
    CREDIT = "credit"  # a credit note: a refund, the amounts below zero
    OTHER = "other"


class PaymentMethodName(str, enum.Enum):
    """How an order or an invoice is paid: the one list of payment method names (the values
    stored in ``order.payment_method`` and ``invoice.payment_method``)."""

    ON_ACCOUNT = "on_account"  # invoiced, due in 30 days, within the credit limit
    CARD = "card"  # charged to the saved card (Stripe)


class Invoice(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # INV-2026-000001
    kind: Mapped[str] = mapped_column(String(20), default=InvoiceKind.ORDER.value, server_default=InvoiceKind.ORDER.value)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # who pays
    # Who invoices: the paying organisation's seller (its reseller, or the distributor).
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column()
    tax: Mapped[int] = mapped_column()
    total: Mapped[int] = mapped_column()
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    reverse_charge: Mapped[bool] = mapped_column(default=False)
    payment_method: Mapped[str] = mapped_column(String(20), default=PaymentMethodName.ON_ACCOUNT.value)
    status: Mapped[str] = mapped_column(String(10), default=InvoiceStatus.OPEN.value, index=True)
    # The billing details as they were when the invoice was issued (they may change later).
    bill_to: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # The seller's legal name, address and tax ID as issued ({} on invoices issued before they were kept).
    seller_details: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    issued_at: Mapped[datetime] = mapped_column(index=True)
    due_at: Mapped[datetime] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column()
    voided_at: Mapped[datetime | None] = mapped_column()

    # The credit check sums an organisation's open on-account invoices under its row lock
    # (``app.billing.services.open_on_account_total``): this index holds exactly those rows, with
    # their totals on PostgreSQL, so the sum reads the open ones only, however many are paid.
    __table_args__ = (
        Index("ix_invoice_open_on_account", "organisation_id", "currency", postgresql_include=["total"],
              postgresql_where=text("status = 'open' AND payment_method = 'on_account'"),
              sqlite_where=text("status = 'open' AND payment_method = 'on_account'")),
    )

    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    seller = relationship("Organisation", foreign_keys=[seller_id])
    order = relationship("Order")
    subscription = relationship("Subscription")
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )


class InvoiceLine(db.Model):
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    position: Mapped[int] = mapped_column()  # numbered from 1
    description: Mapped[str] = mapped_column(String(300))
    unit_price: Mapped[int] = mapped_column()
    quantity: Mapped[int] = mapped_column()
    period_fraction: Mapped[str] = mapped_column(String(30), default="")
    amount: Mapped[int] = mapped_column()

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

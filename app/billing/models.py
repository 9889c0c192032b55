"""Invoices: what an organisation owes for an order, with its lines copied from the order."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class InvoiceStatus(str, enum.Enum):
    OPEN = "open"  # issued, not paid: counts against an on-account credit limit
    PAID = "paid"
    VOID = "void"


class Invoice(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # INV-2026-000001
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column()
    tax: Mapped[int] = mapped_column()
    total: Mapped[int] = mapped_column()
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    reverse_charge: Mapped[bool] = mapped_column(default=False)
    payment_method: Mapped[str] = mapped_column(String(20), default="on_account")
    status: Mapped[str] = mapped_column(String(10), default=InvoiceStatus.OPEN.value, index=True)
    issued_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column()

    organisation = relationship("Organisation")
    order = relationship("Order")
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

"""Issuing invoices: one numbering, lines as charged, tax by the marketplace's rule, and the
status changes (open -> paid | void).

``create_invoice`` is the one way an invoice is made: the checkout (``invoice_order``) and the
lifecycle (prorations, renewals) give it lines; it numbers the invoice from the single ``INV``
series (``app.core.numbering``), adds tax (or none under reverse charge), keeps the billing
details as they are today, and adds the invoice to the session. Nothing here commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from flask import current_app

from app.billing.models import INVOICE_TRANSITIONS, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, PaymentMethodName
from app.billing.seller import billing_details, legal_details_of
from app.billing.tax import is_reverse_charge
from app.catalog.parameters import parameter_summary
from app.core.numbering import next_number
from app.extensions import db
from app.money import apply_basis_points
from app.webhooks.events import emit
from app.webhooks.shapes import invoice_shape

PAYMENT_TERMS = timedelta(days=30)  # net 30 for on-account invoices, unless staff set other terms


def payment_terms_of(organisation) -> timedelta:
    """How long after issue the organisation's on-account invoices fall due: its payment terms
    as distributor staff set them (``Organisation.payment_terms_days``), net 30 by default."""
    days = getattr(organisation, "payment_terms_days", None)
    return timedelta(days=days) if days is not None else PAYMENT_TERMS


class IllegalInvoiceTransition(Exception):
    pass


class InvoiceMismatch(Exception):
    """The invoice worked out from the lines differs from the amounts the caller expects."""


@dataclass(frozen=True)
class NewInvoiceLine:
    """One line to invoice, the one type every invoice's lines are given in (orders, renewals,
    prorations, credit notes); ``amount`` is what is charged (for a prorated line, the prorated
    amount rounded half up, not ``unit_price x quantity``; below zero on a credit note)."""

    description: str
    unit_price: int
    quantity: int
    amount: int
    period_fraction: str = ""  # "3/31" for a prorated line


@dataclass(frozen=True)
class TaxRule:
    rate_bp: int
    reverse_charge: bool

    def tax_on(self, subtotal: int) -> int:
        return 0 if self.reverse_charge else apply_basis_points(subtotal, self.rate_bp)


def tax_rule_for(organisation, marketplace=None) -> TaxRule:
    """The tax an invoice to ``organisation`` carries: its marketplace's rate, or none when the
    reverse-charge rule applies to its billing details (``app.billing.tax``)."""
    marketplace = marketplace or organisation.marketplace
    if marketplace is None:
        return TaxRule(0, False)
    billing = organisation.billing_info
    reverse = billing is not None and is_reverse_charge(marketplace.country, marketplace.tax_region, billing.country, billing.tax_id)
    return TaxRule(marketplace.tax_rate_bp, reverse)


def bill_to(organisation) -> dict:
    """The paying organisation's billing details, as printed on the invoice."""
    return billing_details(organisation)


def create_invoice(organisation, currency: str, lines: Sequence[NewInvoiceLine], now: datetime, *,
                   tax: TaxRule | None = None, kind: InvoiceKind = InvoiceKind.ORDER, payment_method: str = PaymentMethodName.ON_ACCOUNT.value,
                   status: InvoiceStatus = InvoiceStatus.OPEN, due_at: datetime | None = None, order=None,
                   subscription=None) -> Invoice:
    """A numbered invoice of ``lines`` to ``organisation``, in the session (not committed).

    Subtotal = the sum of the line amounts; tax = ``tax`` (default: ``tax_rule_for``) on the
    subtotal, rounded half up; total = subtotal + tax, all in minor units of ``currency``. The
    payer's and the seller's details are kept as they are now (``app.billing.seller``). Due
    ``payment_terms_of(organisation)`` after issue on account, at once otherwise; ``status`` paid stamps it paid
    now, and so does a total of zero (a free first month, a free plan): there is nothing to
    wait for. The caller holds whatever lock makes the charge happen once (the order's, the
    subscription's)."""
    tax = tax or tax_rule_for(organisation)
    subtotal = sum(line.amount for line in lines)
    tax_amount = tax.tax_on(subtotal)
    invoice = Invoice(
        number=next_number("INV", now), kind=kind.value, organisation_id=organisation.id, seller_id=organisation.parent_id,
        order=order, subscription=subscription, currency=currency, subtotal=subtotal, tax=tax_amount, total=subtotal + tax_amount,
        tax_rate_bp=tax.rate_bp, reverse_charge=tax.reverse_charge, payment_method=payment_method, status=status.value,
        bill_to=bill_to(organisation), seller_details=legal_details_of(organisation.parent, current_app.config), issued_at=now,
        due_at=due_at or (now + payment_terms_of(organisation) if payment_method == PaymentMethodName.ON_ACCOUNT.value else now),
        paid_at=now if status is InvoiceStatus.PAID else None,
    )
    invoice.lines = [InvoiceLine(position=position, description=line.description[:300], unit_price=line.unit_price,
                                 quantity=line.quantity, period_fraction=line.period_fraction, amount=line.amount)
                     for position, line in enumerate(lines, start=1)]
    if invoice.total == 0 and status is InvoiceStatus.OPEN:
        mark_invoice_paid(invoice, now)
    db.session.add(invoice)
    return invoice


def order_invoice_lines(order) -> list[NewInvoiceLine]:
    """The order's charged items (those billed later, a free first month, are not); the first
    of each order line names its ordering parameters as the buyer chose them."""
    invoiced = []
    for line in order.lines:
        summary = parameter_summary(line.plan_term.plan.product.parameters, line.parameters) if line.parameters else ""
        for index, item in enumerate(item for item in line.items if not item.billed_later):
            described = f"{line.description}: {item.description}" + (f" ({summary})" if summary and index == 0 else "")
            invoiced.append(NewInvoiceLine(described, item.unit_price, item.quantity, item.subtotal, item.period_fraction))
    return invoiced


def invoice_order(order, now: datetime, payment_method: str = PaymentMethodName.ON_ACCOUNT.value, status: InvoiceStatus = InvoiceStatus.OPEN) -> Invoice:
    """The invoice of ``order``: its charged items, at the tax the order was quoted with.
    Raises ``InvoiceMismatch`` rather than issue an invoice whose total is not the order's."""
    invoice = create_invoice(order.buyer, order.currency, order_invoice_lines(order), now,
                             tax=TaxRule(order.tax_rate_bp, order.reverse_charge), payment_method=payment_method,
                             status=status, order=order)
    if (invoice.subtotal, invoice.tax, invoice.total) != (order.subtotal, order.tax, order.total):
        db.session.expunge(invoice)
        raise InvoiceMismatch(f"order {order.number}: invoice {invoice.subtotal}/{invoice.tax}/{invoice.total} "
                              f"!= order {order.subtotal}/{order.tax}/{order.total}")
    announce_issued(invoice, now)
    return invoice


def announce_issued(invoice: Invoice, now: datetime) -> None:
    """Flushes the new invoice and records its ``invoice.issued`` event (and ``invoice.paid``
    when it is paid already), for the payer and its reseller. Every caller of ``create_invoice``
    calls it once the invoice is final."""
    db.session.flush()
    emit("invoice.issued", [invoice.organisation_id], invoice_shape(invoice), now)
    if invoice.status == InvoiceStatus.PAID.value:
        emit("invoice.paid", [invoice.organisation_id], invoice_shape(invoice), now)


def _transition(invoice: Invoice, new: InvoiceStatus) -> None:
    if new not in INVOICE_TRANSITIONS[InvoiceStatus(invoice.status)]:
        raise IllegalInvoiceTransition(f"invoice {invoice.number}: {invoice.status} -> {new.value}")
    invoice.status = new.value


def mark_invoice_paid(invoice: Invoice, now: datetime) -> None:
    _transition(invoice, InvoiceStatus.PAID)
    invoice.paid_at = now
    if invoice.id is not None:  # a new invoice is announced by ``announce_issued``
        db.session.flush()
        emit("invoice.paid", [invoice.organisation_id], invoice_shape(invoice), now)


def void_invoice(invoice: Invoice, now: datetime) -> None:
    _transition(invoice, InvoiceStatus.VOID)
    invoice.voided_at = now

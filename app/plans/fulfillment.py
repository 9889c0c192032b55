"""What provisioning's final answer about a change request does to the subscription.

Quantities of an increase apply when the change is confirmed (under the subscription's row
lock, so concurrent changes serialise). When its ``change`` request finally fails, the units it
added are taken back (``apply_quantities``, from the current quantities, so a later change is
kept) and its charge is cancelled: the invoice is voided while still open, else credited.
A failed decrease is left to staff (the vendor may still hold the units; nothing was charged).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from app.billing.invoicing import NewInvoiceLine, void_invoice
from app.billing.models import Invoice, InvoiceStatus
from app.extensions import db
from app.plans.changes import apply_quantities
from app.plans.invoicing import issue_invoice, payment_method_of
from app.plans.models import Subscription

log = logging.getLogger(__name__)


def added_units(line) -> dict[str, int]:
    """Resource code -> units the change line added (increases only)."""
    previous = line.previous_quantities or {}
    return {code: quantity - previous.get(code, 0) for code, quantity in (line.quantities or {}).items()
            if quantity > previous.get(code, 0)}


def undo_failed_change(line, now: datetime) -> dict[int, int]:
    """Takes back the units of a change line whose request failed and cancels its charge.
    Returns the quantities set. Does not commit."""
    added = added_units(line)
    subscription = db.session.get(Subscription, line.subscription_id)
    if not added or subscription is None:
        return {}
    ids = {pr.resource.code: pr.resource_id for pr in subscription.plan.resources}
    current = {row.resource_id: row.quantity for row in subscription.resources}
    restored = apply_quantities(subscription.id, {ids[code]: max(0, current.get(ids[code], 0) - units)
                                                  for code, units in added.items() if code in ids}, now)
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == line.order_id).order_by(Invoice.id).limit(1))
    if invoice is not None and invoice.status == InvoiceStatus.OPEN.value and invoice.total > 0:
        void_invoice(invoice, now)
    elif invoice is not None and invoice.total > 0:
        issue_invoice(subscription.payer, invoice.currency,
                      [NewInvoiceLine(f"Refund: {item.description} (the change could not be provisioned)", -item.amount, 1,
                                   -item.amount, item.period_fraction) for item in invoice.lines],
                      now, marketplace=subscription.marketplace, payment_method=payment_method_of(subscription),
                      kind="credit", order=line.order, subscription=subscription)
    log.info("subscription %s: change of order line %s failed; quantities back to %s", subscription.id, line.id, restored)
    return restored

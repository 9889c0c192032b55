"""A change of a subscription's quantities as an order line: the change quote (every tier,
``app.plans.change_quote``) priced at the payer's tier, with its tax and total.

The payer pays its own tier (``app.plans.invoicing.payer_amount``): each prorated item is
``charge(unit, units, period_fraction=...)``, priced by the change quote's own proration
(``app.plans.proration.prorate``), and each refunded one is a ``credit`` of the quote's amount,
so the order's subtotal is the quote's total at that tier.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.billing.invoicing import NewInvoiceLine
from app.billing.models import PaymentMethodName
from app.core.numbering import next_number
from app.extensions import db
from app.orders.models import Order, OrderLine, OrderLineKind, OrderPaymentStatus, OrderStatus
from app.orders.payments import PaymentMethodUnavailable, payment_method
from app.orders.quote import Quote, QuoteItem, QuoteLine, build_quote, charge, credit
from app.payments.cards import payment_account
from app.plans.change_quote import ChangeLine, ChangeQuote
from app.plans.invoicing import issue_invoice, pays_cost, schedule_charge


@dataclass(frozen=True)
class ChangePreview:
    """What the change page shows and the change order charges."""

    subscription: object
    change: ChangeQuote  # every tier, the effective dates, the policy
    order_quote: Quote  # the payer's order: items, subtotal, tax, total
    pays_cost: bool


def _item(line: ChangeLine, cost: bool) -> QuoteItem | None:
    if line.billable_change == 0:
        return None
    unit = line.unit.cost if cost else line.unit.customer
    fraction = None if line.fraction == 1 else line.fraction
    label = f"{line.name}: {line.current} to {line.applies_now}"
    if line.billable_change > 0:  # a fraction of 0: billed later (postpaid peak, free month)
        return charge(label, unit, line.billable_change, resource_code=line.code, period_fraction=fraction)
    refund = -(line.reseller_amount if cost else line.customer_amount)
    return credit(f"{label} (refund for the days left)", refund, period_fraction=fraction)


def price_change(subscription, change: ChangeQuote, tax_rate_bp: int, reverse_charge: bool) -> ChangePreview:
    """The payer's order for ``change``: one ``change`` line of prorated items and credits."""
    cost = pays_cost(subscription.payer)
    items = tuple(item for item in (_item(line, cost) for line in change.lines) if item is not None)
    description = f"Change of {subscription.plan.product.name} · {subscription.plan.name} ({subscription.plan_term.name})"
    line = QuoteLine(description, items, kind="change", plan_term_id=subscription.plan_term_id,
                     subscription_id=subscription.id, beneficiary_label=subscription.owner.name)
    quote = build_quote([line], subscription.currency, tax_rate_bp, reverse_charge)
    return ChangePreview(subscription, change, quote, cost)


def authorise_change(buyer, method: str, preview) -> None:
    """Refuses (``PaymentFailed``) a change the payer cannot pay: over its credit limit on
    account, or no card on file for a subscription paid by card. Free changes pass."""
    if preview.order_quote.total <= 0:
        return
    if method == PaymentMethodName.CARD.value:
        account = payment_account(buyer)
        if account is None or not account.has_card:
            raise PaymentMethodUnavailable("This subscription is paid by card: add a card before changing it.")
        return
    payment_method(method).authorise(buyer, preview.order_quote)


def write_change_order(request, preview, subscription, before: dict, method: str, now: datetime):
    """The ``change`` order of a confirmed change: one line with the quantities after and
    before it and its items frozen as charged. Not committed."""
    from app.orders.checkout import frozen_items  # checkout imports this module: a cycle the shared order writer removes

    quote = preview.order_quote
    (priced,) = quote.lines
    order = Order(
        number=next_number("ORD", now), buyer_id=subscription.payer_id, placed_by=request.placed_by,
        marketplace_id=subscription.marketplace_id, currency=quote.currency, status=OrderStatus.PLACED.value,
        subtotal=quote.subtotal, tax=quote.tax, total=quote.total, tax_rate_bp=quote.tax_rate_bp,
        reverse_charge=quote.reverse_charge, payment_method=method, idempotency_key=request.idempotency_key,
        quote_fingerprint=preview.change.fingerprint, terms_acceptance=[], created_at=now,
        # Paid through its invoice (on account, or charged off-session by the lifecycle), never
        # through the order's own pay page.
        payment_status=OrderPaymentStatus.INVOICED.value,
    )
    line = OrderLine(
        position=1, kind=OrderLineKind.CHANGE.value, plan_term_id=subscription.plan_term_id,
        beneficiary_id=subscription.owner_id, subscription_id=subscription.id, description=priced.description,
        quantities={row.resource.code: row.quantity for row in subscription.resources}, previous_quantities=before,
        parameters={}, subtotal=priced.subtotal,
    )
    line.items = frozen_items(priced)
    order.lines.append(line)
    db.session.add(order)
    db.session.flush()
    return order


def invoice_change(order, subscription, method: str, now: datetime) -> None:
    """The proration's invoice (or, for a refund, a credit note) at the payer's tier."""
    lines = [NewInvoiceLine(f"{line.description}: {item.description}", item.unit_price, item.quantity, item.subtotal,
                            item.period_fraction) for line in order.lines for item in line.items if item.subtotal]
    if not lines:
        return
    invoice = issue_invoice(subscription.payer, order.currency, lines, now, marketplace=subscription.marketplace,
                            payment_method=method, kind="proration", order=order, subscription=subscription)
    if method == PaymentMethodName.CARD.value and invoice.total > 0:
        schedule_charge(subscription, now)

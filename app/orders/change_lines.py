"""Changing an existing subscription's quantities (way 5) as an order: the change quote (every
tier, ``app.plans.change_quote``) priced at the payer's tier, with its tax and total, and its
placing through the same skeleton and order writer as purchases (``app.orders.placing``).

The payer pays its own tier (``app.plans.invoicing.payer_amount``): each prorated item is
``charge(unit, units, period_fraction=...)``, priced by the change quote's own proration
(``app.plans.proration.prorate``), and each refunded one is a ``credit`` of the quote's amount,
so the order's subtotal is the quote's total at that tier.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Mapping

from app.accounts.activity import record_activity
from app.billing.invoicing import NewInvoiceLine
from app.billing.models import PaymentMethodName
from app.billing.tax import reverse_charge_for
from app.core.errors import QuoteChanged
from app.extensions import db
from app.orders.models import Order, OrderLine, OrderLineKind, OrderPaymentStatus
from app.orders.payments import PaymentMethodUnavailable, payment_method
from app.orders.placing import OrderHeader, frozen_items, place_idempotently, write_order
from app.orders.quote import Quote, QuoteItem, QuoteLine, build_quote, charge, credit
from app.payments.cards import payment_account
from app.plans.change_quote import ChangeContext, ChangeLine, ChangeQuote, quote_change
from app.plans.changes import change_context, confirm_change
from app.plans.collection import collect_due_charge
from app.plans.invoicing import issue_invoice, pays_cost, payment_method_of, schedule_charge
from app.plans.models import Subscription
from app.plans.store import lock_subscription
from app.provisioning.handoff import hand_off

CHANGE_PRICE_CHANGED = "The price of this change has changed since you saw it: check the new amounts and confirm again."


@dataclass
class ChangeRequest:
    subscription_id: int
    requested: Mapping[int, int]  # resource id -> the new quantity
    fingerprint: str  # of the change quote the buyer confirmed
    idempotency_key: str
    placed_by: object | None = None  # the user
    by_customer: bool = False  # a customer changes only what its plan lets customers change


@dataclass(frozen=True)
class PlacedChange:
    order: Order | None  # None: a decrease that waits for the next period (nothing to charge now)
    charge_by_card: bool = False


@dataclass(frozen=True)
class ChangePreview:
    """What the change page shows and the change order charges."""

    subscription: object
    change: ChangeQuote  # every tier, the effective dates, the policy
    order_quote: Quote  # the payer's order: items, subtotal, tax, total
    pays_cost: bool
    context: ChangeContext | None = None  # what the change was quoted from (the preview's impact reads it)


def _item(line: ChangeLine, cost: bool, change: ChangeQuote) -> QuoteItem | None:
    if line.billable_change == 0:
        return None
    unit = line.unit.cost if cost else line.unit.customer
    fraction = None if line.fraction == 1 else line.fraction
    label = f"{line.name}: {line.current} to {line.applies_now}"
    if fraction:  # the days, unreduced: "18/30 days" says what the reduced fraction 3/5 does not
        label += f", {change.days_left}/{change.period.days} days"
    if line.billable_change > 0:  # a fraction of 0: billed later (postpaid peak, free month)
        return charge(label, unit, line.billable_change, resource_code=line.code, period_fraction=fraction)
    refund = -(line.reseller_amount if cost else line.customer_amount)
    return credit(f"{label} (refund for the days left)", refund, period_fraction=fraction)


def price_change(subscription, change: ChangeQuote, tax_rate_bp: int, reverse_charge: bool) -> ChangePreview:
    """The payer's order for ``change``: one ``change`` line of prorated items and credits."""
    cost = pays_cost(subscription.payer)
    items = tuple(item for item in (_item(line, cost, change) for line in change.lines) if item is not None)
    description = f"Change of {subscription.plan.product.name} · {subscription.plan.name} ({subscription.plan_term.name})"
    line = QuoteLine(description, items, kind="change", plan_term_id=subscription.plan_term_id,
                     subscription_id=subscription.id, beneficiary_label=subscription.owner.name)
    quote = build_quote([line], subscription.currency, tax_rate_bp, reverse_charge)
    return ChangePreview(subscription, change, quote, cost)


def change_values(change: ChangeQuote, subscription) -> tuple[int, int]:
    """The change at the reseller's cost and at the end customer's price, for the reports (a
    reseller's own subscription: at its cost, no margin)."""
    cost = max(0, sum(item.subtotal for item in (_item(line, True, change) for line in change.lines) if item is not None))
    if subscription.owner_id == subscription.payer_id and subscription.owner.acts_as_reseller:
        return cost, cost
    resale = max(0, sum(item.subtotal for item in (_item(line, False, change) for line in change.lines) if item is not None))
    return cost, resale


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


def write_change_order(request, preview, subscription, before: dict, method: str, now: datetime) -> Order:
    """The ``change`` order of a confirmed change: one line with the quantities after and
    before it and its items frozen as charged. Not committed."""
    quote = preview.order_quote
    (priced,) = quote.lines
    header = OrderHeader(
        buyer_id=subscription.payer_id, placed_by=request.placed_by, marketplace_id=subscription.marketplace_id,
        payment_method=method, idempotency_key=request.idempotency_key, fingerprint=preview.change.fingerprint,
        # Paid through its invoice (on account, or charged off-session by the lifecycle), never
        # through the order's own pay page.
        payment_status=OrderPaymentStatus.INVOICED.value,
    )

    def lines():
        line = OrderLine(
            kind=OrderLineKind.CHANGE.value, plan_term_id=subscription.plan_term_id,
            beneficiary_id=subscription.owner_id, subscription_id=subscription.id, description=priced.description,
            quantities={row.resource.code: row.quantity for row in subscription.resources}, previous_quantities=before,
            parameters={}, subtotal=priced.subtotal,
        )
        line.items = frozen_items(priced)
        line.cost_subtotal, line.resale_subtotal = change_values(preview.change, subscription)
        return [line]

    return write_order(header, quote, lines, now)


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


def preview_change(subscription, requested: Mapping[int, int], now: datetime, *, by_customer: bool = False) -> ChangePreview:
    """The change quote at every tier and the payer's order for it (``ChangePreview``). Raises
    a ``LifecycleRefused`` subclass naming the rule a quantity breaks. Writes nothing."""
    context = change_context(subscription, now)
    change = quote_change(context, requested, now, by_customer=by_customer)
    preview = price_change(subscription, change, subscription.marketplace.tax_rate_bp,
                           reverse_charge_for(subscription.payer, subscription.marketplace))
    return replace(preview, context=context)


def place_change_order(request: ChangeRequest, now: datetime) -> PlacedChange:
    """Confirms a quantity change through the placing skeleton (``app.orders.placing``) and
    commits, or raises and leaves nothing behind: lock the payer, then the subscription ->
    re-quote and compare with the fingerprint the buyer saw (``QuoteChanged`` with the new
    preview in ``quote``) -> credit check (on account) -> ``confirm_change`` (quantities that
    change now apply at once, under the lock: two changes serialise; decreases that wait are
    scheduled) -> a ``change`` order with frozen items -> its invoice (a credit note for a
    refund) -> hand-off of a ``change`` request -> commit. A card invoice is charged right
    after, off-session (declined: dunning). The same idempotency key returns the order placed
    first."""
    subscription = db.session.get(Subscription, request.subscription_id)

    def place(payer, method: str) -> PlacedChange:
        locked = lock_subscription(request.subscription_id)
        preview = preview_change(locked, request.requested, now, by_customer=request.by_customer)
        if preview.change.fingerprint != request.fingerprint:
            raise QuoteChanged(CHANGE_PRICE_CHANGED, preview)
        authorise_change(payer, method, preview)
        before = {row.resource.code: row.quantity for row in locked.resources}
        confirmed = confirm_change(locked.id, request.requested, request.fingerprint, now, by_customer=request.by_customer,
                                   created_by_id=request.placed_by.id if request.placed_by is not None else None)
        record_activity(locked.owner_id, "subscription.changed", _change_summary(locked, before, request.requested, confirmed),
                        actor=request.placed_by, subject=locked, now=now)
        if not confirmed.quantities_now:
            return PlacedChange(None)
        order = write_change_order(request, preview, locked, before, method, now)
        invoice_change(order, locked, method, now)
        hand_off(order, now)
        return PlacedChange(order, method == PaymentMethodName.CARD.value and order.total > 0)

    placed = place_idempotently(subscription.payer_id, request.idempotency_key, check=lambda: payment_method_of(subscription),
                                place=place, found=PlacedChange,
                                conflict_message="This form was already used. Reload the page and try again.")
    if placed.charge_by_card:
        collect_due_charge(subscription.id, now)
    return placed


def _change_summary(subscription, before: Mapping[str, int], requested: Mapping[int, int], confirmed) -> str:
    """For the activity log: each quantity that moves, and when."""
    moves = [f"{row.resource.name} {before.get(row.resource.code, 0)} -> {requested[row.resource_id]}"
             for row in subscription.plan.resources
             if row.resource_id in requested and requested[row.resource_id] != before.get(row.resource.code, 0)]
    when = "now" if confirmed.quantities_now else "at the next period"
    if confirmed.quantities_now and confirmed.scheduled_change is not None:
        when = "now, decreases at the next period"
    return f"Resource limits of {subscription.plan.name} changed ({when}): {', '.join(moves) or 'no change'}"

"""The price preview of a change to a subscription, at every tier. Pure: no database.

``quote_change`` answers, per resource: the current and new quantity, the unit prices per tier,
the period fraction charged or refunded now, what the customer pays its reseller, what the
reseller pays the distributor, the margin, when the change takes effect and until when it can be
undone; and a fingerprint over all of it, so that the amount confirmed is the amount charged
(``confirm_change`` re-quotes under a row lock and refuses a different fingerprint).

``quote_cancel`` does the same for a cancellation. Build the ``ChangeContext`` from the
database with ``app.plans.changes.change_context``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Mapping

from app.catalog.pricing import PriceNotSet, TierPrices
from app.plans import errors
from app.plans.periods import Period
from app.plans.policy import ChangePolicy, describe_policy
from app.plans.proration import NOTHING, WHOLE, billable_units, period_fraction, prorate
from app.plans.states import SubscriptionStatus


@dataclass(frozen=True)
class ResourceTerms:
    """What a plan allows for one resource (from ``PlanResource`` and ``Resource``)."""

    resource_id: int
    code: str
    name: str
    included: int = 0
    minimum: int = 0
    maximum: int = 0
    step: int = 1
    customer_changeable: bool = True
    one_time: bool = False
    measures_seats: bool = False


@dataclass(frozen=True)
class ChangeContext:
    """Everything a quote depends on, read once (under a lock when confirming)."""

    subscription_id: int
    status: str
    single_user: bool
    policy: ChangePolicy
    period: Period
    currency: str
    resources: Mapping[int, ResourceTerms]
    current: Mapping[int, int]
    prices: Mapping[int, TierPrices]  # per unit above the included quantity
    plan_prices: TierPrices | None = None  # per billing period; needed to refund a cancellation
    free_until: datetime | None = None  # end of a free first month
    refundable: Mapping[int, int] = field(default_factory=dict)  # units added within the window
    scheduled: Mapping[int, int] = field(default_factory=dict)  # the pending decrease's targets
    assigned_seats: int = 0  # seats given to users (app.plans.seats): the lowest the seats may go

    def is_free(self, now: datetime) -> bool:
        return self.free_until is not None and now < self.free_until


@dataclass(frozen=True)
class ChangeLine:
    resource_id: int
    code: str
    name: str
    current: int
    new: int
    applies_now: int  # the quantity from now until ``effective_at`` (= ``new`` when immediate)
    billable_change: int  # units above the included quantity charged (+) or refunded (-) now
    unit: TierPrices
    fraction: Fraction  # of the unit price charged now: days left / days, 1 (one-time) or 0
    customer_amount: int  # what the customer pays its reseller now (negative: a refund)
    reseller_amount: int  # what the reseller pays the distributor now
    effective_at: datetime
    undo_until: datetime | None

    @property
    def margin(self) -> int:
        return self.customer_amount - self.reseller_amount

    @property
    def is_increase(self) -> bool:
        return self.new > self.current


@dataclass(frozen=True)
class ChangeQuote:
    subscription_id: int
    currency: str
    now: datetime
    period: Period
    days_left: int
    lines: tuple[ChangeLine, ...]
    scheduled_after: Mapping[int, int]  # the pending decrease once confirmed ({} = none)
    drops_scheduled_change: bool
    policy_text: tuple[str, ...]
    fingerprint: str

    @property
    def customer_total(self) -> int:
        return sum(line.customer_amount for line in self.lines)

    @property
    def reseller_total(self) -> int:
        return sum(line.reseller_amount for line in self.lines)

    @property
    def margin_total(self) -> int:
        return self.customer_total - self.reseller_total

    @property
    def quantities_now(self) -> dict[int, int]:
        """Quantities that change now (increases and window decreases)."""
        return {line.resource_id: line.applies_now for line in self.lines if line.applies_now != line.current}

    @property
    def has_increase(self) -> bool:
        return any(line.is_increase for line in self.lines)


def quote_change(
    context: ChangeContext, requested: Mapping[int, int], now: datetime, *, by_customer: bool = False
) -> ChangeQuote:
    """The quote of changing to ``requested`` quantities (resource id -> quantity) at ``now``.
    Raises a ``LifecycleRefused`` subclass naming the first rule broken."""
    _require_changeable(context)
    validate_quantities(context, requested, by_customer=by_customer)
    changed = {rid: qty for rid, qty in requested.items() if qty != context.current.get(rid, 0)}
    if not changed:
        raise errors.NothingToChange("The new quantities are the current ones: there is nothing to change.")
    lines = tuple(_line(context, rid, changed[rid], now) for rid in sorted(changed))
    has_increase = any(line.is_increase for line in lines)
    scheduled = {} if has_increase else dict(context.scheduled)
    for line in lines:
        scheduled.pop(line.resource_id, None)
        if line.effective_at > now:
            scheduled[line.resource_id] = line.new
    days_left = context.period.days_left(now)
    return ChangeQuote(
        subscription_id=context.subscription_id,
        currency=context.currency,
        now=now,
        period=context.period,
        days_left=days_left,
        lines=lines,
        scheduled_after=scheduled,
        drops_scheduled_change=has_increase and bool(context.scheduled),
        policy_text=describe_policy(context.policy),
        fingerprint=_fingerprint(context, now, lines, scheduled),
    )


def validate_quantities(context: ChangeContext, requested: Mapping[int, int], *, by_customer: bool = False) -> None:
    """Each requested quantity is a whole number within the plan's minimum, maximum and step,
    changeable by whoever asks; single-user plans keep one seat; one-time units are not returned."""
    for resource_id, quantity in requested.items():
        terms = context.resources.get(resource_id)
        if terms is None:
            raise errors.UnknownResource(f"Resource {resource_id} is not part of this plan.")
        code, current = terms.code, context.current.get(resource_id, 0)
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise errors.NotAWholeNumber(f"{terms.name}: enter a whole number.", code)
        if quantity == current:
            continue
        if by_customer and not terms.customer_changeable:
            raise errors.NotChangeableByCustomer(f"{terms.name} can only be changed by your reseller.", code)
        if context.single_user and terms.measures_seats:
            raise errors.SingleUserSeatFixed(f"{terms.name}: a single-user subscription keeps exactly one seat.", code)
        if terms.one_time and quantity < current:
            raise errors.OneTimeNotReducible(f"{terms.name} was delivered once and cannot be reduced.", code)
        if quantity < terms.minimum:
            raise errors.BelowMinimum(f"{terms.name}: the minimum is {terms.minimum}.", code)
        if quantity > terms.maximum:
            raise errors.AboveMaximum(f"{terms.name}: the maximum is {terms.maximum}.", code)
        if (quantity - terms.minimum) % terms.step:
            raise errors.OffStep(
                f"{terms.name}: choose {terms.minimum} plus a multiple of {terms.step}.", code
            )
    _require_assigned_seats(context, requested)


def _require_assigned_seats(context: ChangeContext, requested: Mapping[int, int]) -> None:
    """Seats are not lowered below the number assigned to users."""
    seats = [terms for terms in context.resources.values() if terms.measures_seats]
    if not seats or context.single_user:
        return
    current = sum(context.current.get(terms.resource_id, 0) for terms in seats)
    new = sum(requested.get(terms.resource_id, context.current.get(terms.resource_id, 0)) for terms in seats)
    if new < current and new < context.assigned_seats:
        lowered = next(terms for terms in seats
                       if requested.get(terms.resource_id, context.current.get(terms.resource_id, 0))
                       < context.current.get(terms.resource_id, 0))
        raise errors.SeatsAssigned(
            f"{context.assigned_seats} seats are assigned: unassign seats before lowering to {new}.", lowered.code
        )


def _require_changeable(context: ChangeContext) -> None:
    status = SubscriptionStatus(context.status)
    if status is SubscriptionStatus.CANCELED:
        raise errors.SubscriptionNotChangeable("This subscription is cancelled: resume it before changing it.")
    if status is not SubscriptionStatus.ACTIVE:
        raise errors.SubscriptionNotChangeable(f"A {status.value} subscription cannot be changed.")


def _line(context: ChangeContext, resource_id: int, new: int, now: datetime) -> ChangeLine:
    terms = context.resources[resource_id]
    current = context.current.get(resource_id, 0)
    unit = context.prices.get(resource_id)
    if unit is None:
        raise PriceNotSet(f"no price for resource {terms.code} on this subscription's term")
    policy, period = context.policy, context.period
    undo_until = None
    if new > current:
        applies_now, effective_at = new, now
        if terms.one_time:
            fraction = WHOLE
        elif policy.postpaid or context.is_free(now):
            fraction = NOTHING
        else:
            fraction = period_fraction(period, now)
            if policy.decrease_window:
                undo_until = min(now + timedelta(days=policy.decrease_window_days), period.end)
    else:
        removable_now = min(current - new, context.refundable.get(resource_id, 0)) if policy.decrease_window else 0
        applies_now = current - removable_now
        fraction = period_fraction(period, now) if removable_now and not context.is_free(now) else NOTHING
        effective_at = now if applies_now == new else period.end
        undo_until = None if applies_now == new else period.end
    billable_change = billable_units(applies_now, terms.included) - billable_units(current, terms.included)
    return ChangeLine(
        resource_id=resource_id,
        code=terms.code,
        name=terms.name,
        current=current,
        new=new,
        applies_now=applies_now,
        billable_change=billable_change,
        unit=unit,
        fraction=fraction,
        customer_amount=_signed_prorate(unit.customer, billable_change, fraction),
        reseller_amount=_signed_prorate(unit.cost, billable_change, fraction),
        effective_at=effective_at,
        undo_until=undo_until,
    )


def _signed_prorate(unit_amount: int, units: int, fraction: Fraction) -> int:
    """A charge for added units, a refund (negative) for removed ones: the same rounding."""
    amount = prorate(unit_amount, abs(units), fraction)
    return amount if units >= 0 else -amount


def _fingerprint(context: ChangeContext, now: datetime, lines, scheduled: Mapping[int, int]) -> str:
    payload = {
        "subscription": context.subscription_id,
        "currency": context.currency,
        "period": [context.period.start.isoformat(), context.period.end.isoformat()],
        "day": now.date().isoformat(),
        "lines": [
            [line.resource_id, line.current, line.new, line.applies_now, line.unit.customer, line.unit.cost,
             line.customer_amount, line.reseller_amount, line.effective_at.date().isoformat()]
            for line in lines
        ],
        "scheduled": sorted(scheduled.items()),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class CancelQuote:
    subscription_id: int
    now: datetime
    immediate: bool  # ends now with a refund (window policy) rather than at the period's end
    effective_at: datetime
    resumable_until: datetime | None
    customer_refund: int  # negative or zero
    reseller_refund: int
    policy_text: tuple[str, ...]

    @property
    def margin_refund(self) -> int:
        return self.customer_refund - self.reseller_refund


def quote_cancel(context: ChangeContext, now: datetime) -> CancelQuote:
    """What cancelling at ``now`` does: at the period's end (resumable until then), or at once
    with a pro-rata refund of the period's prepaid amounts under a window policy."""
    status = SubscriptionStatus(context.status)
    if status is SubscriptionStatus.CANCELED:
        raise errors.NotCancellable("This subscription is already cancelled.")
    if status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED):
        raise errors.NotCancellable(f"A {status.value} subscription cannot be cancelled.")
    period, policy = context.period, context.policy
    within_window = (
        policy.cancel_window
        and status is SubscriptionStatus.ACTIVE
        and not context.is_free(now)
        and (now.date() - period.start.date()).days < policy.cancel_window_days
    )
    text = describe_policy(policy)
    if not within_window:
        return CancelQuote(context.subscription_id, now, False, period.end, period.end, 0, 0, text)
    fraction = period_fraction(period, now)
    customer, reseller = _prepaid_refund(context, fraction)
    return CancelQuote(context.subscription_id, now, True, now, None, customer, reseller, text)


def _prepaid_refund(context: ChangeContext, fraction: Fraction) -> tuple[int, int]:
    """The unused part of the period's recurring charges, prorated item by item (as invoiced)."""
    items = [(context.plan_prices, 1)] if context.plan_prices else []
    for resource_id, terms in context.resources.items():
        units = billable_units(context.current.get(resource_id, 0), terms.included)
        if units and not terms.one_time:
            items.append((context.prices[resource_id], units))
    customer = sum(prorate(tiers.customer, units, fraction) for tiers, units in items)
    reseller = sum(prorate(tiers.cost, units, fraction) for tiers, units in items)
    return -customer, -reseller

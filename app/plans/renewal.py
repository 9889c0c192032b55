"""What the end of a billing period must do, worked out as a value. Pure: reads the
subscription's attributes (and its plan, term and resources), writes nothing.

- active: apply the scheduled decrease, open the next period and bill:
  prepaid = the next period in advance, at the prices locked for the term (a new term locks
  today's prices); postpaid = the period just ended, in arrears, at its peak quantities;
  the end of a free first month bills nothing for that month (prepaid then bills the next
  period in advance: "the first invoice at its end").
- cancelled (or suspended with a cancellation pending): expire; postpaid still bills the
  period just ended (a free first month bills nothing: cancelled before its end, nothing is
  charged).
- suspended: wait; the renewal happens once the unpaid invoice is paid.
``app.plans.lifecycle.close_period`` carries the plan out under a row lock.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Mapping

from app.catalog.models import PaymentModel, ResourceKind
from app.catalog.pricing import TierPrices
from app.plans.models import BillingKind
from app.plans.periods import Period, anniversary, months_between
from app.plans.proration import billable_units
from app.plans.states import SubscriptionStatus
from app.plans.term_prices import TermPrices, locked_prices_of


class RenewalNotDue(Exception):
    """The subscription's period has not ended at this time (or it has no period)."""


class TermPricesNeeded(Exception):
    """A new term starts: pass today's prices (``load_term_prices``) to lock them."""


class RenewalAction(str, enum.Enum):
    RENEW = "renew"
    EXPIRE = "expire"
    WAIT = "wait"  # suspended for an unpaid invoice


@dataclass(frozen=True)
class RenewalLine:
    kind: str  # "plan" or "resource"
    resource_id: int | None
    description: str
    quantity: int  # units charged (for a resource: above the included quantity)
    measured: int  # the quantity held (prepaid) or the peak (postpaid)
    unit: TierPrices
    period: Period

    @property
    def customer_amount(self) -> int:
        return self.unit.customer * self.quantity

    @property
    def reseller_amount(self) -> int:
        return self.unit.cost * self.quantity

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "resource_id": self.resource_id, "description": self.description,
            "quantity": self.quantity, "measured": self.measured,
            "unit_customer": self.unit.customer, "unit_cost": self.unit.cost, "unit_msrp": self.unit.msrp,
            "customer_amount": self.customer_amount, "reseller_amount": self.reseller_amount,
            "period_start": self.period.start.isoformat(), "period_end": self.period.end.isoformat(),
        }


@dataclass(frozen=True)
class RenewalPlan:
    subscription_id: int
    action: RenewalAction
    closing: Period
    next_period: Period | None = None
    applies_change_id: int | None = None
    quantities_after: Mapping[int, int] | None = None
    billed_period: Period | None = None  # the BillingPeriod key; None: nothing to record
    billing: BillingKind | None = None
    lines: tuple[RenewalLine, ...] = ()
    starts_new_term: bool = False
    term_end_after: datetime | None = None
    prices_after: TermPrices | None = None

    @property
    def customer_total(self) -> int:
        return sum(line.customer_amount for line in self.lines)

    @property
    def reseller_total(self) -> int:
        return sum(line.reseller_amount for line in self.lines)


def is_postpaid(subscription) -> bool:
    return subscription.plan.payment_model == PaymentModel.POSTPAID.value


def closing_period(subscription) -> Period:
    if subscription.current_period_start is None or subscription.current_period_end is None:
        raise RenewalNotDue(f"subscription {subscription.id} has no billing period")
    return Period(subscription.current_period_start, subscription.current_period_end)


def next_period_after(subscription, period_end: datetime) -> Period:
    """The billing period that follows ``period_end``, on the anchor's anniversaries."""
    anchor = subscription.period_anchor or subscription.current_period_start
    months = subscription.plan_term.billing_frequency_months
    return Period(period_end, anniversary(anchor, months_between(anchor, period_end) + months))


def needs_new_term_prices(subscription) -> bool:
    """True when the period after the current one opens a new term (prices are re-read)."""
    return subscription.term_end is None or subscription.current_period_end >= subscription.term_end


def plan_renewal(
    subscription,
    now: datetime,
    *,
    scheduled_change=None,
    peaks: Mapping[int, int] | None = None,
    new_term_prices: TermPrices | None = None,
) -> RenewalPlan:
    """What ending the current period at ``now`` must do. ``scheduled_change`` is the pending
    decrease (or None); ``peaks`` the postpaid peak per resource id over the closing period;
    ``new_term_prices`` today's prices, required when a new term starts."""
    closing = closing_period(subscription)
    if now < closing.end:
        raise RenewalNotDue(f"subscription {subscription.id} renews at {closing.end.isoformat()}")
    status = SubscriptionStatus(subscription.status)
    ending = status is SubscriptionStatus.CANCELED or (
        status is SubscriptionStatus.SUSPENDED and subscription.cancel_at_period_end
    )
    if status is SubscriptionStatus.SUSPENDED and not ending:
        return RenewalPlan(subscription.id, RenewalAction.WAIT, closing)
    if status is not SubscriptionStatus.ACTIVE and not ending:
        raise RenewalNotDue(f"a {status.value} subscription does not renew")
    current = {row.resource_id: row.quantity for row in subscription.resources}
    free = subscription.trial_ends_at is not None and closing.end <= subscription.trial_ends_at
    postpaid = is_postpaid(subscription)

    arrears: dict = {}
    if postpaid:
        if free:
            arrears = {"billed_period": closing, "billing": BillingKind.FREE}
        else:
            if peaks is None:
                raise ValueError("a postpaid renewal needs the peak quantities of the closing period")
            measured = {resource_id: peaks.get(resource_id, quantity) for resource_id, quantity in current.items()}
            lines = _lines(subscription, _locked(subscription), measured, closing)
            arrears = {"billed_period": closing, "billing": BillingKind.ARREARS, "lines": lines}
    if ending:
        return RenewalPlan(subscription.id, RenewalAction.EXPIRE, closing, quantities_after=current, **arrears)

    after = dict(current)
    change_id = None
    if scheduled_change is not None and scheduled_change.effective_at <= closing.end:
        after.update(scheduled_change.targets)
        change_id = scheduled_change.id
    following = next_period_after(subscription, closing.end)
    new_term = needs_new_term_prices(subscription)
    term_end_after, prices_after = subscription.term_end, _locked(subscription, required=False)
    if new_term:
        if new_term_prices is None:
            raise TermPricesNeeded(f"subscription {subscription.id} starts a new term at {closing.end.isoformat()}")
        term_start = subscription.term_end or closing.end
        anchor = subscription.period_anchor or subscription.current_period_start
        term_end_after = anniversary(anchor, months_between(anchor, term_start) + subscription.plan_term.period_months)
        prices_after = new_term_prices
    plan = RenewalPlan(
        subscription.id, RenewalAction.RENEW, closing, next_period=following, applies_change_id=change_id,
        quantities_after=after, starts_new_term=new_term, term_end_after=term_end_after, prices_after=prices_after,
    )
    if postpaid:
        return replace(plan, **arrears)
    lines = _lines(subscription, prices_after, after, following)
    return replace(plan, billed_period=following, billing=BillingKind.ADVANCE, lines=lines)


def _locked(subscription, required: bool = True) -> TermPrices | None:
    prices = locked_prices_of(subscription)
    if prices is None and required:
        raise TermPricesNeeded(f"subscription {subscription.id} has no locked prices to bill with")
    return prices


def _lines(subscription, prices: TermPrices, quantities: Mapping[int, int], period: Period) -> tuple[RenewalLine, ...]:
    """The plan's price, then each recurring resource above its included quantity."""
    plan, term = subscription.plan, subscription.plan_term
    lines = [RenewalLine("plan", None, f"{plan.name} ({term.name})", 1, 1, prices.plan, period)]
    for plan_resource in plan.resources:
        resource = plan_resource.resource
        if resource.kind != ResourceKind.RECURRING.value:
            continue
        measured = quantities.get(plan_resource.resource_id, 0)
        units = billable_units(measured, plan_resource.included)
        if units:
            lines.append(RenewalLine("resource", plan_resource.resource_id, resource.name, units, measured,
                                     prices.resource(plan_resource.resource_id), period))
    return tuple(lines)

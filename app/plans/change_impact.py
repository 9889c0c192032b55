"""What a quantity change does to the money, at both tiers (what the customer pays its reseller,
what the reseller pays the distributor), as the change page's preview states it (seed 001
"Modify seats": the cost impact, including the credit from the existing subscription).

For the days left in the period, the changed resources at their quantity from now are charged
and what the current quantity already paid for those days is credited: the difference is
exactly what the change quote charges (or refunds) now, since the credit is derived from it.
Then the recurring amount per billing period before the change and once it has applied
(scheduled decreases included). Pure: no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.plans.change_quote import ChangeContext, ChangeLine, ChangeQuote
from app.plans.proration import NOTHING, WHOLE, billable_units, prorate


@dataclass(frozen=True)
class TierImpact:
    rest_of_period: int  # the changed resources at their quantity from now, for the days left
    credit: int  # what the current quantities already paid for those days (0 or more)
    per_period_before: int  # the recurring amount per billing period now
    per_period_after: int  # once every part of the change has applied

    @property
    def now(self) -> int:
        """Charged now (negative: refunded): the change quote's total at this tier."""
        return self.rest_of_period - self.credit


@dataclass(frozen=True)
class ChangeImpact:
    currency: str
    customer: TierImpact  # at the customer's price
    cost: TierImpact  # at the reseller's cost
    applies_now: bool  # some part takes effect at once
    scheduled_for: datetime | None  # when the rest takes effect (the next period's start)
    period_start: datetime
    period_end: datetime
    days_left: int
    days_in_period: int

    @property
    def margin(self) -> TierImpact:
        c, r = self.customer, self.cost
        return TierImpact(c.rest_of_period - r.rest_of_period, c.credit - r.credit,
                          c.per_period_before - r.per_period_before, c.per_period_after - r.per_period_after)


def _split(line: ChangeLine, context: ChangeContext, unit: int, amount: int) -> tuple[int, int]:
    """(rest of period, credit) of one line at one tier, summing to the line's ``amount``."""
    if line.fraction in (NOTHING, WHOLE):  # billed later, or a one-time service: no proration
        return amount, 0
    included = context.resources[line.resource_id].included
    gross = prorate(unit, billable_units(line.applies_now, included), line.fraction)
    return gross, gross - amount


def _per_period(context: ChangeContext, quantities: dict[int, int], tier: str) -> int:
    total = getattr(context.plan_prices, tier) if context.plan_prices else 0
    for resource_id, terms in context.resources.items():
        units = billable_units(quantities.get(resource_id, 0), terms.included)
        if units and not terms.one_time and resource_id in context.prices:
            total += units * getattr(context.prices[resource_id], tier)
    return total


def change_impact(context: ChangeContext, change: ChangeQuote) -> ChangeImpact:
    """Both tiers' impact of ``change`` (quoted from ``context``)."""
    after = dict(context.current)
    after.update({line.resource_id: line.new for line in change.lines})

    def tier(name: str) -> TierImpact:
        rest = credit = 0
        for line in change.lines:
            amount = line.customer_amount if name == "customer" else line.reseller_amount
            gross, part = _split(line, context, getattr(line.unit, name), amount)
            rest, credit = rest + gross, credit + part
        return TierImpact(rest, credit, _per_period(context, dict(context.current), name), _per_period(context, after, name))

    later = [line.effective_at for line in change.lines if line.effective_at > change.now]
    return ChangeImpact(
        currency=change.currency, customer=tier("customer"), cost=tier("cost"),
        applies_now=any(line.effective_at <= change.now for line in change.lines),
        scheduled_for=min(later) if later else None, period_start=change.period.start, period_end=change.period.end,
        days_left=change.days_left, days_in_period=change.period.days,
    )

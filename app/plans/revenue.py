"""Revenue by month, the values the reseller home's chart draws: what customers were billed
(revenue), what their reseller was billed for them (cost) and the margin between them, per
month of one currency. ``app.reconciliation.monthly`` computes them (from orders and billing
periods: plans never reads orders)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.plans.periods import add_months


@dataclass(frozen=True)
class MonthAmounts:
    month: datetime  # the first day of the month, 00:00
    revenue: int  # minor units
    cost: int

    @property
    def margin(self) -> int:
        return self.revenue - self.cost


@dataclass(frozen=True)
class RevenueSeries:
    currency: str
    months: tuple[MonthAmounts, ...]  # oldest first, every month present (0 when nothing was billed)

    @property
    def totals(self) -> MonthAmounts:
        return MonthAmounts(self.months[0].month, sum(m.revenue for m in self.months), sum(m.cost for m in self.months))


def last_months(now: datetime, count: int = 12) -> list[datetime]:
    """The first days of the ``count`` months ending with ``now``'s, oldest first."""
    this_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return [add_months(this_month, offset) for offset in range(1 - count, 1)]

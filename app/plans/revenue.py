"""Recurring revenue by month, from what the lifecycle recorded as billed (``BillingPeriod``):
what customers pay their reseller (``customer_amount``), what the reseller pays the distributor
(``reseller_amount``) and the margin between them. A period counts in the month it starts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from app.extensions import db
from app.plans.models import BillingPeriod
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


def _year_month(column, dialect: str):
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def revenue_by_month(subscription_ids: Select, now: datetime, count: int = 12) -> list[RevenueSeries]:
    """The last ``count`` months (``now``'s included) of the billed periods of the subscriptions
    ``subscription_ids`` selects, one series per currency (most revenue first), in one query."""
    months = last_months(now, count)
    dialect = db.session.get_bind().dialect.name
    bucket = _year_month(BillingPeriod.period_start, dialect).label("month")
    rows = db.session.execute(
        select(BillingPeriod.currency, bucket, func.sum(BillingPeriod.customer_amount), func.sum(BillingPeriod.reseller_amount))
        .where(BillingPeriod.subscription_id.in_(subscription_ids),
               BillingPeriod.period_start >= months[0], BillingPeriod.period_start < add_months(months[-1], 1))
        .group_by(BillingPeriod.currency, bucket)
    ).all()
    by_currency: dict[str, dict[str, tuple[int, int]]] = {}
    for currency, month, revenue, cost in rows:
        by_currency.setdefault(currency, {})[month] = (int(revenue or 0), int(cost or 0))
    series = [
        RevenueSeries(currency, tuple(MonthAmounts(m, *amounts.get(f"{m:%Y-%m}", (0, 0))) for m in months))
        for currency, amounts in by_currency.items()
    ]
    return sorted(series, key=lambda s: (-s.totals.revenue, s.currency))

"""What a reseller's customers were billed, and what the reseller was billed for them, per month
and currency: the reconciliation's charges (``app.reconciliation.keys`` says which, dated as
its rows are: an order item on its order's day, a renewal on the day its billing period was
recorded) at both tiers (``app.reconciliation.amounts``), added up in the database. So a
month's bars on the reseller's home are the sums of that month's reconciliation rows: the
first period of every subscription (its purchase order), mid-period increases (prorations) and
refunds of changes, renewals.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, union_all

from app.extensions import db
from app.orders.models import Order, OrderLine, OrderLineItem
from app.plans.models import BillingPeriod, Subscription
from app.plans.periods import add_months
from app.plans.revenue import MonthAmounts, RevenueSeries, last_months
from app.reconciliation.amounts import item_tiers, with_tiers
from app.reconciliation.keys import billed_periods, charged_items


def _year_month(column, dialect: str):
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _charges(reseller_id: int, start: datetime, end: datetime, dialect: str):
    """(currency, month, cost, price) of each order item and each billing period of the range."""
    tiers = item_tiers(dialect)
    items = with_tiers(
        select(Order.currency.label("currency"), _year_month(Order.created_at, dialect).label("month"),
               tiers.cost_amount.label("cost"), tiers.price_amount.label("price"))
        .select_from(OrderLineItem)
        .join(OrderLine, OrderLineItem.order_line_id == OrderLine.id)
        .join(Order, OrderLine.order_id == Order.id)
        .join(Subscription, OrderLine.subscription_id == Subscription.id)
    ).where(*charged_items(reseller_id, start, end))
    periods = (select(BillingPeriod.currency, _year_month(BillingPeriod.created_at, dialect),
                      BillingPeriod.reseller_amount, BillingPeriod.customer_amount)
               .join(Subscription, BillingPeriod.subscription_id == Subscription.id)
               .where(*billed_periods(reseller_id, start, end)))
    return union_all(items, periods).subquery("charges")


def billed_by_month(reseller_id: int, now: datetime, count: int = 12) -> list[RevenueSeries]:
    """The last ``count`` months (``now``'s included) of what ``reseller_id``'s customers were
    billed (revenue) and what the reseller was billed for them (cost), one series per currency
    (most revenue first), in one statement. An amount not known (a refund's other tier) counts
    as nothing."""
    months = last_months(now, count)
    dialect = db.engine.dialect.name
    charges = _charges(reseller_id, months[0], add_months(months[-1], 1), dialect)
    rows = db.session.execute(
        select(charges.c.currency, charges.c.month, func.sum(charges.c.price), func.sum(charges.c.cost))
        .group_by(charges.c.currency, charges.c.month)
    ).all()
    by_currency: dict[str, dict[str, tuple[int, int]]] = {}
    for currency, month, revenue, cost in rows:
        by_currency.setdefault(currency, {})[month] = (int(revenue or 0), int(cost or 0))
    series = [
        RevenueSeries(currency, tuple(MonthAmounts(m, *amounts.get(f"{m:%Y-%m}", (0, 0))) for m in months))
        for currency, amounts in by_currency.items()
    ]
    return sorted(series, key=lambda s: (-s.totals.revenue, s.currency))

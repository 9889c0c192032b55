"""The geometry of the home page's twelve-month chart, drawn as SVG by the template: per month
two bars (revenue from customers, cost to the distributor) and a point of the margin line, on
a scale with round gridlines (pure: amounts in, coordinates out); and the series kept in Redis
for a while, since they change only when an order is placed or a period is billed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import current_app
from sqlalchemy import func, select

from app.control_panel.reseller.kept import database_tag, kept
from app.extensions import db
from app.orders.models import Order
from app.plans.models import BillingPeriod
from app.plans.revenue import MonthAmounts, RevenueSeries

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 28  # room for the axis labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    amount: int


@dataclass(frozen=True)
class MonthMark:
    label: str  # "Mar 26"
    x: float  # centre of the month's slot
    revenue: Bar
    cost: Bar
    margin_y: float
    margin: int


@dataclass(frozen=True)
class Gridline:
    y: float
    amount: int  # minor units


@dataclass(frozen=True)
class ChartGeometry:
    width: int
    height: int
    baseline: float
    months: tuple[MonthMark, ...]
    gridlines: tuple[Gridline, ...]

    @property
    def margin_points(self) -> str:
        return " ".join(f"{m.x:.1f},{m.margin_y:.1f}" for m in self.months)


def nice_step(span: int, lines: int = 4) -> int:
    """A round step (1, 2 or 5 x 10^n minor units) giving about ``lines`` gridlines over ``span``."""
    if span <= 0:
        return 100
    raw = span / lines
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def chart_geometry(series: RevenueSeries) -> ChartGeometry:
    """Where each bar, point and gridline of ``series`` goes on a WIDTH x HEIGHT canvas. The
    scale starts at zero, or below it when a month's margin is negative."""
    highest = max([0] + [max(m.revenue, m.cost, m.margin) for m in series.months])
    lowest = min([0] + [min(m.revenue, m.cost, m.margin) for m in series.months])
    step = nice_step(highest - lowest)
    top = -(-highest // step) * step or step
    bottom = (lowest // step) * step
    plot_height = HEIGHT - TOP - BOTTOM

    def y_of(amount: int) -> float:
        return TOP + (top - amount) * plot_height / (top - bottom)

    baseline = y_of(0)
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(series.months))
    bar_width = slot * 0.32

    def bar(x: float, amount: int) -> Bar:
        y = y_of(amount)
        return Bar(x, min(y, baseline), bar_width, abs(baseline - y), amount)

    months = []
    for index, month in enumerate(series.months):
        centre = LEFT + slot * (index + 0.5)
        months.append(MonthMark(f"{month.month:%b %y}", centre, bar(centre - bar_width, month.revenue),
                                bar(centre, month.cost), y_of(month.margin), month.margin))
    gridlines = tuple(Gridline(y_of(amount), amount) for amount in range(bottom, top + 1, step))
    return ChartGeometry(WIDTH, HEIGHT, baseline, tuple(months), gridlines)


# --- The series, kept in Redis ------------------------------------------------------------------

def _encode(series: list[RevenueSeries]) -> str:
    return json.dumps([[s.currency, [[f"{m.month:%Y-%m-%d}", m.revenue, m.cost] for m in s.months]] for s in series])


def _decode(raw: bytes) -> list[RevenueSeries]:
    return [RevenueSeries(currency, tuple(MonthAmounts(datetime.strptime(day, "%Y-%m-%d"), revenue, cost)
                                          for day, revenue, cost in months))
            for currency, months in json.loads(raw)]


def cached_series(reseller_id: int, now: datetime, build: Callable[[], list[RevenueSeries]]) -> list[RevenueSeries]:
    """``build()``'s series, kept in Redis for ``RESELLER_CHART_CACHE_SECONDS`` under a key naming
    the reseller, the month, the newest order and the newest billed period (one cheap query of
    two index look-ups: a new order, change or proration, or a new period, anywhere makes a new
    key). An order cancelled unpaid leaves the chart when the kept series expire. Redis
    unreachable: built every time."""
    seconds = current_app.config.get("RESELLER_CHART_CACHE_SECONDS", 0)
    if not seconds:
        return build()
    newest_order, newest_period = db.session.execute(
        select(select(func.max(Order.id)).scalar_subquery(), select(func.max(BillingPeriod.id)).scalar_subquery())).one()
    key = f"reseller-chart:v2:{database_tag()}:{reseller_id}:{now:%Y-%m}:{newest_order or 0}:{newest_period or 0}"
    return kept(key, seconds, build, _encode, _decode)

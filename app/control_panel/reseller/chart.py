"""The geometry of the home page's twelve-month chart, drawn as SVG by the template: per month
two bars (revenue from customers, cost to the distributor) and a point of the margin line, on
a scale with round gridlines. Pure: amounts in, coordinates out."""
from __future__ import annotations

from dataclasses import dataclass

from app.plans.revenue import RevenueSeries

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

"""Calendar arithmetic for subscription periods. Pure functions; callers pass the times."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` moved by whole calendar months, the day clamped to the month's length
    (31 January + 1 month = 28 or 29 February). The time of day is kept."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def anniversary(anchor: datetime, months_since_anchor: int) -> datetime:
    """The period boundary ``months_since_anchor`` months after ``anchor``, always computed from
    the anchor so that a subscription started on the 31st returns to the 31st after February."""
    return add_months(anchor, months_since_anchor)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @property
    def days(self) -> int:
        return (self.end.date() - self.start.date()).days

    def days_left(self, now: datetime) -> int:
        """Whole days from ``now``'s date to the end, within 0 .. days."""
        left = (self.end.date() - now.date()).days
        return max(0, min(self.days, left))

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def period_starting(start: datetime, months: int) -> Period:
    return Period(start, add_months(start, months))


def months_between(start: datetime, end: datetime) -> int:
    """Whole calendar months from ``start``'s month to ``end``'s: the index of ``end`` among the
    anniversaries of ``start`` (day clamping never changes the month)."""
    return (end.year - start.year) * 12 + end.month - start.month

"""Quantities over time, from the recorded changes of one resource of one subscription. Pure.

A record says "from ``recorded_at`` on, the quantity was ``quantity``". Postpaid periods bill
their peak; window decreases refund what was added within the window.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from app.plans.periods import Period

Record = tuple[datetime, int]  # (recorded_at, quantity)


def quantity_at(records: Iterable[Record], moment: datetime) -> int | None:
    """The quantity in effect at ``moment``: the last record at or before it (None: none yet).
    Records of the same time count in the order given (the later one wins)."""
    before = sorted((record for record in records if record[0] <= moment), key=lambda record: record[0])
    return before[-1][1] if before else None


def peak_of(records: Iterable[Record], period: Period) -> int | None:
    """The highest quantity in effect at any moment of ``period``: the quantity at its start
    and every quantity recorded within it. None when nothing was recorded by its end."""
    records = list(records)
    candidates = [quantity for recorded_at, quantity in records if period.start < recorded_at < period.end]
    at_start = quantity_at(records, period.start)
    if at_start is not None:
        candidates.append(at_start)
    return max(candidates) if candidates else None


def lowest_since(records: Iterable[Record], since: datetime) -> int | None:
    """The lowest quantity in effect from ``since`` on: the quantity at ``since`` (zero if the
    resource was first recorded later) and every later record. None without any record."""
    records = list(records)
    if not records:
        return None
    at_since = quantity_at(records, since)
    later = [quantity for recorded_at, quantity in records if recorded_at > since]
    return min(later + [0 if at_since is None else at_since])

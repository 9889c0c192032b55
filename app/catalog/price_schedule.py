"""When dated prices come into effect, for the storefront cache.

A cached storefront page holds prices, and a price row dated in the future changes them at its
date without any write to bump the catalog version. So the cache key of every priced content
carries the *price epoch*: the latest future price date (as seen when the catalog version was
made) that has now passed. The moment a scheduled price comes into effect the key changes and
the page is built again, exactly at that time on the app clock, with no scheduler involved.

The dates come from one cached value per catalog version (no query on a cache hit). It lists at
most ``SCHEDULE_LENGTH`` dates; when all have passed and more were left out, the catalog version
is bumped so the next reader lists the following ones.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, union

from app.catalog.cache import bump_catalog_version, cached
from app.catalog.models import PlanTermPrice, ResourcePrice
from app.core.clock import current_now
from app.extensions import db

SCHEDULE_LENGTH = 100


def upcoming_price_dates(after: datetime, limit: int) -> list[datetime]:
    """The distinct dates after ``after`` from which some price row applies, earliest first."""
    dates = union(
        select(PlanTermPrice.effective_from.label("moment")).where(PlanTermPrice.effective_from > after),
        select(ResourcePrice.effective_from.label("moment")).where(ResourcePrice.effective_from > after),
    ).subquery()
    return list(db.session.scalars(select(dates.c.moment).order_by(dates.c.moment).limit(limit)))


def _schedule(now: datetime) -> dict:
    dates = upcoming_price_dates(now, SCHEDULE_LENGTH + 1)
    return {
        "as_of": now.isoformat(),
        "dates": [moment.isoformat() for moment in dates[:SCHEDULE_LENGTH]],
        "more": len(dates) > SCHEDULE_LENGTH,
    }


def price_epoch(now: datetime | None = None) -> str:
    """A string that changes whenever a dated price comes into effect: part of the cache key of
    any cached content that shows prices."""
    now = now if now is not None else current_now()
    schedule = cached("price_schedule", (), lambda: _schedule(now))
    if now < datetime.fromisoformat(schedule["as_of"]):
        # A clock behind the one that listed the dates (tests with fixed clocks, or hosts whose
        # clocks differ): dates between are not listed, so list them afresh for this moment.
        schedule = _schedule(now)
    passed = [moment for moment in schedule["dates"] if datetime.fromisoformat(moment) <= now]
    if schedule["more"] and len(passed) == len(schedule["dates"]):
        bump_catalog_version()
        schedule = _schedule(now)
        passed = [moment for moment in schedule["dates"] if datetime.fromisoformat(moment) <= now]
    return passed[-1] if passed else "-"

"""The one source of "now" in the app.

Domain functions never read the time: they take ``now`` as an argument. Their callers (views,
jobs, commands, the services that default a ``now`` left out) read it with ``current_now()`` from
the clock held in the app config under ``CLOCK`` (the system clock when none is set), so that a
``FixedClock`` or ``TravelClock`` there moves every date the app writes. Times are naive UTC,
like every datetime column.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol

from flask import current_app, has_app_context


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, naive UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc).replace(tzinfo=None)


class FixedClock:
    """Always the same moment: for unit tests."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


class TravelClock:
    """A clock that stands still until moved: for time-travel scenarios and demos.

    It never goes backwards, so a scenario cannot undo a renewal by mistake."""

    def __init__(self, start: datetime) -> None:
        self._moment = start

    def now(self) -> datetime:
        return self._moment

    def travel_to(self, moment: datetime) -> None:
        if moment < self._moment:
            raise ValueError("a travel clock only moves forward")
        self._moment = moment

    def advance(self, delta: timedelta) -> datetime:
        self.travel_to(self._moment + delta)
        return self._moment


SYSTEM_CLOCK = SystemClock()


def clock_of(app) -> Clock:
    """The clock an app runs on: ``app.config["CLOCK"]`` or the system clock."""
    return app.config.get("CLOCK") or SYSTEM_CLOCK


def current_now() -> datetime:
    """"Now" on the current app's clock: for views, jobs and commands, which pass it on to
    services. Outside an app context (a script, a test without an app), the system clock."""
    return clock_of(current_app).now() if has_app_context() else SYSTEM_CLOCK.now()

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from flask import Flask

from app.core.clock import SYSTEM_CLOCK, FixedClock, TravelClock, clock_of, current_now


def test_a_fixed_clock_stands_still_and_a_travel_clock_only_moves_forward():
    moment = datetime(2026, 3, 1, 9)
    assert FixedClock(moment).now() == moment
    clock = TravelClock(moment)
    assert clock.advance(timedelta(days=31)) == datetime(2026, 4, 1, 9) == clock.now()
    clock.travel_to(datetime(2027, 5, 1))
    assert clock.now() == datetime(2027, 5, 1)
    with pytest.raises(ValueError):
        clock.travel_to(moment)
    assert clock.now() == datetime(2027, 5, 1)


def test_the_app_runs_on_its_configured_clock_else_the_system_clock():
    fixed = FixedClock(datetime(2026, 3, 1))
    assert clock_of(SimpleNamespace(config={"CLOCK": fixed})) is fixed
    assert clock_of(SimpleNamespace(config={})) is SYSTEM_CLOCK
    assert SYSTEM_CLOCK.now().tzinfo is None


def test_now_is_read_from_the_current_apps_clock_and_from_the_system_clock_outside_an_app():
    moment = datetime(2031, 7, 4, 8, 30)
    travelled, plain = Flask("travelled"), Flask("plain")
    travelled.config["CLOCK"] = FixedClock(moment)

    with travelled.app_context():
        assert current_now() == moment
    with plain.app_context():
        assert abs(current_now() - SYSTEM_CLOCK.now()) < timedelta(seconds=5)
    outside = current_now()
    assert outside.tzinfo is None and abs(outside - SYSTEM_CLOCK.now()) < timedelta(seconds=5)

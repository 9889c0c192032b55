from datetime import datetime

import pytest
from hypothesis import given, strategies as st

from app.plans.periods import Period, add_months, anniversary, period_starting


def test_add_months_clamps_to_the_end_of_shorter_months():
    assert add_months(datetime(2026, 1, 31, 9, 30), 1) == datetime(2026, 2, 28, 9, 30)
    assert add_months(datetime(2028, 1, 31), 1) == datetime(2028, 2, 29)
    assert add_months(datetime(2026, 12, 15), 1) == datetime(2027, 1, 15)
    assert add_months(datetime(2026, 3, 31), -1) == datetime(2026, 2, 28)
    assert add_months(datetime(2026, 5, 10), 12) == datetime(2027, 5, 10)


def test_anniversaries_return_to_the_anchor_day():
    anchor = datetime(2026, 1, 31)
    assert [anniversary(anchor, n).day for n in range(1, 4)] == [28, 31, 30]


def test_period_days_and_days_left():
    period = period_starting(datetime(2026, 2, 1), 1)
    assert period.days == 28
    assert period.days_left(datetime(2026, 2, 15, 23, 0)) == 14
    assert period.days_left(datetime(2026, 1, 1)) == 28
    assert period.days_left(datetime(2026, 3, 5)) == 0
    assert period.contains(datetime(2026, 2, 28, 23, 59)) and not period.contains(datetime(2026, 3, 1))
    with pytest.raises(ValueError):
        Period(datetime(2026, 2, 1), datetime(2026, 2, 1))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)), st.integers(0, 240))
def test_add_months_moves_forward_by_whole_months(moment, months):
    later = add_months(moment, months)
    assert (later.year - moment.year) * 12 + later.month - moment.month == months
    assert later.day <= moment.day and later.time() == moment.time()

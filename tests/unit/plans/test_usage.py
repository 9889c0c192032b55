"""The peak rule (postpaid) and the lowest quantity since a moment (window refunds)."""
from datetime import datetime

from app.plans.periods import Period
from app.plans.usage import lowest_since, peak_of, quantity_at

MARCH = Period(datetime(2026, 3, 1), datetime(2026, 4, 1))


def test_the_peak_counts_the_quantity_in_effect_at_the_start_of_the_period():
    records = [(datetime(2026, 1, 5), 12), (datetime(2026, 2, 20), 9), (datetime(2026, 3, 10), 7)]
    assert peak_of(records, MARCH) == 9


def test_the_peak_is_the_highest_quantity_recorded_within_the_period():
    records = [(datetime(2026, 2, 1), 5), (datetime(2026, 3, 3), 11), (datetime(2026, 3, 4), 6),
               (datetime(2026, 4, 1), 30), (datetime(2026, 4, 2), 40)]
    assert peak_of(records, MARCH) == 11  # what starts at the period's end belongs to the next one


def test_a_record_at_the_exact_start_replaces_the_earlier_quantity():
    records = [(datetime(2026, 2, 10), 10), (datetime(2026, 3, 1), 6)]  # a decrease applied at renewal
    assert peak_of(records, MARCH) == 6


def test_no_record_by_the_end_of_the_period_means_no_peak():
    assert peak_of([], MARCH) is None
    assert peak_of([(datetime(2026, 4, 1), 3)], MARCH) is None
    assert peak_of([(datetime(2026, 3, 15), 3)], MARCH) == 3  # started within the period


def test_records_of_the_same_moment_count_in_the_order_given():
    moment = datetime(2026, 3, 5)
    assert quantity_at([(moment, 4), (moment, 9)], moment) == 9


def test_lowest_since_counts_the_quantity_then_and_every_later_one():
    records = [(datetime(2026, 3, 1), 10), (datetime(2026, 3, 8), 8), (datetime(2026, 3, 9), 14)]
    assert lowest_since(records, datetime(2026, 3, 5)) == 8
    assert lowest_since(records, datetime(2026, 3, 8, 12)) == 8
    assert lowest_since(records, datetime(2026, 2, 1)) == 0  # all of it was added since
    assert lowest_since([], datetime(2026, 2, 1)) is None

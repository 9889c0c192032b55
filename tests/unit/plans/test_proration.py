"""Proration: exact values, and properties over random prices, periods and days (hypothesis)."""
import math
from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from app.catalog.pricing import TierPrices
from app.plans.change_quote import ResourceTerms, quote_change
from app.plans.periods import Period, period_starting
from app.plans.policy import ChangePolicy, DecreasePolicy
from app.plans.proration import decrease_refund, increase_charge, period_fraction, prorate
from tests.unit.plans.builders import context

SEATS = 1

units = st.integers(min_value=0, max_value=1_000_000)  # minor units per seat per period
periods = st.builds(
    period_starting,
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
    st.sampled_from([1, 3, 12]),
)


@st.composite
def period_and_moments(draw, count=st.integers(1, 12)):
    period = draw(periods)
    size = draw(count)
    offsets = draw(st.lists(st.integers(0, period.days - 1), min_size=size, max_size=size))
    return period, sorted(period.start + timedelta(days=offset, hours=9) for offset in offsets)


def test_increase_charge_is_price_times_units_times_days_left_over_days():
    april = Period(datetime(2026, 4, 1), datetime(2026, 5, 1))  # 30 days
    assert increase_charge(250, 3, april, datetime(2026, 4, 16, 12)) == 375  # 750 x 15/30
    assert increase_charge(255, 1, april, datetime(2026, 4, 16)) == 128  # 127.5 rounds half up
    assert increase_charge(201, 1, april, datetime(2026, 4, 16)) == 101  # 100.5
    assert increase_charge(250, 4, april, datetime(2026, 4, 1)) == 1000  # the whole period
    assert increase_charge(250, 4, april, datetime(2026, 5, 1)) == 0  # nothing left
    assert decrease_refund(255, 1, april, datetime(2026, 4, 16)) == -128


def test_proration_refuses_fractions_of_units_and_fractions_out_of_range():
    with pytest.raises(TypeError):
        prorate(250.0, 1, Fraction(1, 2))
    with pytest.raises(TypeError):
        prorate(250, True, Fraction(1, 2))
    with pytest.raises(ValueError):
        prorate(250, 1, Fraction(3, 2))
    with pytest.raises(ValueError):
        increase_charge(250, -1, Period(datetime(2026, 4, 1), datetime(2026, 5, 1)), datetime(2026, 4, 2))


@given(units, st.integers(0, 500), periods, st.data())
def test_every_amount_is_whole_minor_units_rounded_half_up(unit, quantity, period, data):
    now = period.start + timedelta(days=data.draw(st.integers(0, period.days)))
    exact = Fraction(unit * quantity * period.days_left(now), period.days)
    charge = increase_charge(unit, quantity, period, now)
    assert type(charge) is int
    assert charge == math.floor(exact + Fraction(1, 2))  # half up, an independent oracle
    assert decrease_refund(unit, quantity, period, now) == -charge


@given(units, period_and_moments())
def test_adding_seats_one_at_a_time_never_costs_more_than_buying_them_at_the_start(unit, plan):
    period, moments = plan
    one_by_one = sum(increase_charge(unit, 1, period, moment) for moment in moments)
    assert one_by_one <= increase_charge(unit, len(moments), period, period.start) == unit * len(moments)


@given(st.integers(0, 100_000), st.integers(0, 100_000), st.integers(5, 40), period_and_moments())
def test_quoted_one_seat_increases_never_cost_more_than_all_seats_at_the_start(customer, cost, start_seats, plan):
    """The same through the change quote, with included seats and both tiers."""
    period, moments = plan
    prices = {SEATS: TierPrices("USD", cost=cost, msrp=customer, customer=customer)}
    terms = {SEATS: ResourceTerms(SEATS, "seats", "Seats", included=5, minimum=5, maximum=100)}
    base = dict(period=period, resources=terms, prices=prices)
    seats, customer_paid, reseller_paid = start_seats, 0, 0
    for moment in moments:
        quote = quote_change(context(current={SEATS: seats}, **base), {SEATS: seats + 1}, moment)
        customer_paid += quote.customer_total
        reseller_paid += quote.reseller_total
        seats += 1
    at_start = quote_change(context(current={SEATS: start_seats}, **base), {SEATS: seats}, period.start)
    assert customer_paid <= at_start.customer_total and reseller_paid <= at_start.reseller_total


@given(st.integers(0, 100_000), st.integers(5, 50), st.integers(1, 20), st.integers(1, 20), period_and_moments(st.just(1)))
def test_an_increase_and_a_same_day_decrease_never_pay_money_back_by_default(unit, seats, added, removed, plan):
    period, (moment,) = plan
    prices = {SEATS: TierPrices("USD", cost=unit, msrp=unit, customer=unit)}
    terms = {SEATS: ResourceTerms(SEATS, "seats", "Seats", included=5, minimum=5, maximum=100)}
    base = dict(period=period, resources=terms, prices=prices)
    increase = quote_change(context(current={SEATS: seats}, **base), {SEATS: seats + added}, moment)
    later_same_day = moment + timedelta(hours=5) if moment.hour < 18 else moment
    target = max(5, seats + added - removed)
    decrease = quote_change(context(current={SEATS: seats + added}, **base), {SEATS: target}, later_same_day)
    assert decrease.customer_total == decrease.reseller_total == 0
    assert increase.customer_total + decrease.customer_total >= 0
    assert decrease.lines[0].effective_at == period.end


@given(st.integers(0, 100_000), st.integers(5, 50), st.integers(1, 20), period_and_moments(st.just(1)))
def test_under_a_window_policy_a_same_day_undo_refunds_exactly_what_was_charged(unit, seats, added, plan):
    period, (moment,) = plan
    prices = {SEATS: TierPrices("USD", cost=unit // 2, msrp=unit, customer=unit)}
    terms = {SEATS: ResourceTerms(SEATS, "seats", "Seats", included=5, minimum=5, maximum=100)}
    policy = ChangePolicy(decrease=DecreasePolicy.WINDOW, decrease_window_days=7)
    base = dict(period=period, resources=terms, prices=prices, policy=policy)
    increase = quote_change(context(current={SEATS: seats}, **base), {SEATS: seats + added}, moment)
    undo = quote_change(context(current={SEATS: seats + added}, refundable={SEATS: added}, **base),
                        {SEATS: seats}, moment)
    assert increase.customer_total + undo.customer_total == 0
    assert increase.reseller_total + undo.reseller_total == 0


def test_the_period_fraction_is_days_left_over_days():
    assert period_fraction(Period(datetime(2026, 2, 1), datetime(2026, 3, 1)), datetime(2026, 2, 15, 23)) == Fraction(14, 28)

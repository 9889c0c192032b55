"""The cost impact of a change at both tiers: the credit from the current subscription, what is
charged now (always the change quote's amount) and the amounts per billing period."""
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from app.plans.change_impact import change_impact
from app.plans.change_quote import quote_change
from app.plans.policy import ChangePolicy, DecreasePolicy
from tests.unit.plans.builders import QUICKSTART, SEATS, STORAGE, context

MARCH_11 = datetime(2026, 3, 11, 10, 0)  # 21 of March's 31 days left


def test_an_increase_charges_the_new_quantity_for_the_days_left_less_the_credit_of_the_current():
    ctx = context()
    impact = change_impact(ctx, quote_change(ctx, {SEATS: 12}, MARCH_11))
    # customer 250 a seat: 7 billable seats x 250 x 21/31 = 1185.48 -> 1185; the 3 paid: 1185 - 677 = 508
    assert (impact.customer.rest_of_period, impact.customer.credit, impact.customer.now) == (1185, 508, 677)
    # cost 200 a seat: 7 x 200 x 21/31 = 948.39 -> 948; credit 948 - 542 = 406
    assert (impact.cost.rest_of_period, impact.cost.credit, impact.cost.now) == (948, 406, 542)
    assert (impact.margin.rest_of_period, impact.margin.credit, impact.margin.now) == (237, 102, 135)
    # per period: plan 900 + 3 seats x 250 + 50 storage x 12 = 2250, then 7 seats: 3250 (cost 800 + 600 + 500 = 1900 -> 2700)
    assert (impact.customer.per_period_before, impact.customer.per_period_after) == (2250, 3250)
    assert (impact.cost.per_period_before, impact.cost.per_period_after) == (1900, 2700)
    assert (impact.applies_now, impact.scheduled_for, impact.days_left, impact.days_in_period) == (True, None, 21, 31)


def test_a_decrease_waits_for_the_next_period_with_nothing_charged_or_credited_now():
    ctx = context()
    impact = change_impact(ctx, quote_change(ctx, {SEATS: 6}, MARCH_11))
    assert (impact.customer.rest_of_period, impact.customer.credit, impact.customer.now) == (0, 0, 0)
    assert (impact.applies_now, impact.scheduled_for) == (False, datetime(2026, 4, 1))
    assert (impact.customer.per_period_before, impact.customer.per_period_after) == (2250, 1750)


def test_a_one_time_service_is_charged_in_full_without_credit_and_leaves_the_period_amount():
    ctx = context()
    impact = change_impact(ctx, quote_change(ctx, {QUICKSTART: 1}, MARCH_11))
    assert (impact.customer.rest_of_period, impact.customer.credit, impact.cost.now) == (25000, 0, 20000)
    assert impact.customer.per_period_after == impact.customer.per_period_before == 2250


@given(current=st.integers(5, 60), new=st.integers(5, 60), day=st.integers(1, 31), storage=st.sampled_from([10, 50, 200]))
def test_charged_now_is_always_the_change_quotes_amount_at_each_tier(current, new, day, storage):
    policy = ChangePolicy(decrease=DecreasePolicy.WINDOW, decrease_window_days=7)
    ctx = context(current={SEATS: current, STORAGE: 50, QUICKSTART: 0}, policy=policy,
                  refundable={SEATS: max(0, current - 5)})
    requested = {SEATS: new, STORAGE: storage}
    if requested == {SEATS: current, STORAGE: 50}:
        return
    quote = quote_change(ctx, requested, datetime(2026, 3, day, 12))
    impact = change_impact(ctx, quote)
    assert (impact.customer.now, impact.cost.now) == (quote.customer_total, quote.reseller_total)
    assert impact.customer.credit >= 0 and impact.cost.credit >= 0

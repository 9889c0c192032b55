"""The change quote across tiers: exact amounts, dates, undo windows, validation, fingerprint."""
from datetime import datetime
from fractions import Fraction

import pytest

from app.catalog.pricing import TierPrices
from app.plans import errors
from app.plans.change_quote import quote_cancel, quote_change
from app.plans.periods import Period
from app.plans.policy import CancelPolicy, ChangePolicy, DecreasePolicy
from tests.unit.plans.builders import QUICKSTART, SEATS, STORAGE, context

MARCH_11 = datetime(2026, 3, 11, 10, 0)  # 21 of March's 31 days left
END_OF_MARCH = datetime(2026, 4, 1)
WINDOW = ChangePolicy(decrease=DecreasePolicy.WINDOW, decrease_window_days=7)


def test_an_increase_is_charged_pro_rata_at_each_tier_and_a_one_time_resource_in_full():
    quote = quote_change(context(), {SEATS: 12, QUICKSTART: 1}, MARCH_11)

    seats, quickstart = quote.lines
    assert (seats.current, seats.new, seats.applies_now, seats.billable_change) == (8, 12, 12, 4)
    assert seats.fraction == Fraction(21, 31) and quote.days_left == 21
    assert (seats.unit.customer, seats.unit.cost) == (250, 200)
    assert (seats.customer_amount, seats.reseller_amount, seats.margin) == (677, 542, 135)  # 677.42, 541.94
    assert (seats.effective_at, seats.undo_until) == (MARCH_11, None)
    assert (quickstart.fraction, quickstart.customer_amount, quickstart.reseller_amount) == (1, 25000, 20000)
    assert (quote.customer_total, quote.reseller_total, quote.margin_total) == (25677, 20542, 5135)
    assert quote.quantities_now == {SEATS: 12, QUICKSTART: 1}
    assert quote.scheduled_after == {} and not quote.drops_scheduled_change


def test_amounts_round_half_up_to_the_minor_unit():
    april = Period(datetime(2026, 4, 1), datetime(2026, 5, 1))
    prices = {SEATS: TierPrices("USD", cost=201, msrp=300, customer=255)}
    quote = quote_change(context(period=april, prices=prices), {SEATS: 9}, datetime(2026, 4, 16, 8))
    assert (quote.customer_total, quote.reseller_total, quote.margin_total) == (128, 101, 27)  # 127.5, 100.5


def test_a_decrease_waits_for_the_next_period_without_a_refund_and_can_be_withdrawn_until_then():
    quote = quote_change(context(scheduled={SEATS: 6}), {STORAGE: 30}, MARCH_11)

    (storage,) = quote.lines
    assert (storage.current, storage.new, storage.applies_now, storage.billable_change) == (50, 30, 50, 0)
    assert (storage.customer_amount, storage.reseller_amount, storage.fraction) == (0, 0, 0)
    assert storage.effective_at == storage.undo_until == END_OF_MARCH
    assert quote.scheduled_after == {SEATS: 6, STORAGE: 30}  # merged with the pending decrease
    assert not quote.drops_scheduled_change and quote.quantities_now == {}


def test_an_increase_drops_the_pending_decrease():
    quote = quote_change(context(scheduled={SEATS: 6}), {SEATS: 9, STORAGE: 30}, MARCH_11)
    assert quote.drops_scheduled_change
    assert quote.scheduled_after == {STORAGE: 30}
    assert quote.customer_total == 169  # 250 x 1 x 21/31 = 169.35


def test_a_window_policy_refunds_units_added_within_the_window_and_schedules_the_rest():
    partly = quote_change(context(policy=WINDOW, current={SEATS: 12, STORAGE: 50, QUICKSTART: 0}, refundable={SEATS: 3}),
                          {SEATS: 8}, MARCH_11)
    (seats,) = partly.lines
    assert (seats.applies_now, seats.new, seats.billable_change) == (9, 8, -3)
    assert (seats.customer_amount, seats.reseller_amount, seats.margin) == (-508, -406, -102)  # 508.06, 406.45
    assert seats.effective_at == seats.undo_until == END_OF_MARCH
    assert partly.quantities_now == {SEATS: 9} and partly.scheduled_after == {SEATS: 8}

    wholly = quote_change(context(policy=WINDOW, current={SEATS: 12, STORAGE: 50, QUICKSTART: 0}, refundable={SEATS: 3}),
                          {SEATS: 10}, MARCH_11)
    (seats,) = wholly.lines
    assert (seats.applies_now, seats.customer_amount, seats.reseller_amount) == (10, -339, -271)  # 338.71, 270.97
    assert (seats.effective_at, seats.undo_until) == (MARCH_11, None)
    assert wholly.scheduled_after == {}


def test_under_a_window_policy_an_increase_can_be_undone_for_the_window_days_within_the_period():
    early = quote_change(context(policy=WINDOW), {SEATS: 9}, MARCH_11)
    late = quote_change(context(policy=WINDOW), {SEATS: 9}, datetime(2026, 3, 28))
    assert early.lines[0].undo_until == datetime(2026, 3, 18, 10, 0)
    assert late.lines[0].undo_until == END_OF_MARCH


def test_postpaid_increases_and_a_free_first_month_charge_nothing_now():
    postpaid = quote_change(context(policy=ChangePolicy(postpaid=True)), {SEATS: 12}, MARCH_11)
    free = quote_change(context(free_until=END_OF_MARCH), {SEATS: 12}, MARCH_11)
    for quote in (postpaid, free):
        assert (quote.customer_total, quote.reseller_total, quote.lines[0].fraction) == (0, 0, 0)
        assert quote.quantities_now == {SEATS: 12}


@pytest.mark.parametrize("requested,by_customer,refusal,code", [
    ({SEATS: 4}, False, errors.BelowMinimum, "seats"),
    ({SEATS: 101}, False, errors.AboveMaximum, "seats"),
    ({STORAGE: 55}, False, errors.OffStep, "storage"),
    ({STORAGE: 60}, True, errors.NotChangeableByCustomer, "storage"),
    ({SEATS: 8.0}, False, errors.NotAWholeNumber, "seats"),
    ({SEATS: "9"}, False, errors.NotAWholeNumber, "seats"),
    ({SEATS: True}, False, errors.NotAWholeNumber, "seats"),
    ({99: 1}, False, errors.UnknownResource, None),
    ({SEATS: 8, STORAGE: 50}, True, errors.NothingToChange, None),
])
def test_invalid_quantities_are_refused_with_a_named_error(requested, by_customer, refusal, code):
    with pytest.raises(refusal) as refused:
        quote_change(context(), requested, MARCH_11, by_customer=by_customer)
    assert refused.value.resource_code == code and refused.value.message


def test_single_user_plans_keep_one_seat_and_one_time_resources_are_not_reduced():
    single = context(single_user=True, current={SEATS: 1, STORAGE: 50, QUICKSTART: 1})
    with pytest.raises(errors.SingleUserSeatFixed):
        quote_change(single, {SEATS: 2}, MARCH_11)
    with pytest.raises(errors.OneTimeNotReducible):
        quote_change(single, {QUICKSTART: 0}, MARCH_11)
    assert quote_change(single, {SEATS: 1, STORAGE: 60}, MARCH_11).lines[0].resource_id == STORAGE


@pytest.mark.parametrize("status", ["pending", "canceled", "suspended", "expired", "failed"])
def test_only_active_subscriptions_change(status):
    with pytest.raises(errors.SubscriptionNotChangeable):
        quote_change(context(status=status), {SEATS: 9}, MARCH_11)


def test_the_fingerprint_holds_for_the_day_and_changes_with_the_amounts():
    quote = quote_change(context(), {SEATS: 12}, MARCH_11)
    assert quote_change(context(), {SEATS: 12}, datetime(2026, 3, 11, 23, 59)).fingerprint == quote.fingerprint
    assert quote_change(context(), {SEATS: 12}, datetime(2026, 3, 12, 0, 1)).fingerprint != quote.fingerprint
    dearer = {SEATS: TierPrices("USD", cost=200, msrp=300, customer=260)}
    assert quote_change(context(prices=dearer), {SEATS: 12}, MARCH_11).fingerprint != quote.fingerprint
    assert quote_change(context(current={SEATS: 9}), {SEATS: 12}, MARCH_11).fingerprint != quote.fingerprint
    assert len(quote.fingerprint) == 64


def test_cancelling_by_default_takes_effect_at_the_period_end_and_is_resumable_until_then():
    quote = quote_cancel(context(), MARCH_11)
    assert not quote.immediate
    assert quote.effective_at == quote.resumable_until == END_OF_MARCH
    assert (quote.customer_refund, quote.reseller_refund) == (0, 0)


def test_cancelling_within_the_window_ends_at_once_with_a_pro_rata_refund_item_by_item():
    policy = ChangePolicy(cancel=CancelPolicy.WINDOW, cancel_window_days=14)
    now = datetime(2026, 3, 5, 9)  # 27 days left
    quote = quote_cancel(context(policy=policy), now)
    assert quote.immediate and quote.effective_at == now and quote.resumable_until is None
    # plan 900/800, seats 3 x 250/200, storage 50 x 12/10, each x 27/31; the one-time QuickStart is not refunded
    assert (quote.customer_refund, quote.reseller_refund, quote.margin_refund) == (-1960, -1655, -305)

    assert not quote_cancel(context(policy=policy), datetime(2026, 3, 15)).immediate  # 14 days after the start
    assert not quote_cancel(context(policy=policy, free_until=END_OF_MARCH), now).immediate


def test_cancel_refusals():
    with pytest.raises(errors.NotCancellable):
        quote_cancel(context(status="canceled"), MARCH_11)
    with pytest.raises(errors.NotCancellable):
        quote_cancel(context(status="pending"), MARCH_11)
    assert quote_cancel(context(status="suspended"), MARCH_11).effective_at == END_OF_MARCH

"""plan_renewal: what the end of a period does, with exact amounts (prepaid, postpaid, free
first month, cancelled, suspended). The subscriptions are unsaved model objects."""
from datetime import datetime

import pytest

from app.catalog.pricing import TierPrices
from app.plans.models import BillingKind
from app.plans.periods import Period
from app.plans.renewal import RenewalAction, RenewalNotDue, TermPricesNeeded, plan_renewal
from tests.unit.plans.builders import QUICKSTART, SEATS, STORAGE, scheduled, subscription, term_prices

NEW_PRICES = term_prices(plan=TierPrices("USD", cost=850, msrp=1000, customer=950),
                         seats=TierPrices("USD", cost=210, msrp=300, customer=260),
                         storage=TierPrices("USD", cost=11, msrp=15, customer=13))


def amounts(plan):
    return [(line.kind, line.quantity, line.measured, line.customer_amount, line.reseller_amount) for line in plan.lines]


def test_prepaid_renewal_applies_the_scheduled_decrease_and_bills_the_next_period_at_a_new_terms_prices():
    sub = subscription(start=datetime(2026, 1, 31), end=datetime(2026, 2, 28), seats=8)
    plan = plan_renewal(sub, datetime(2026, 2, 28, 0, 5), scheduled_change=scheduled({SEATS: 6}, datetime(2026, 2, 28)),
                        new_term_prices=NEW_PRICES)

    assert plan.action is RenewalAction.RENEW
    assert plan.next_period == Period(datetime(2026, 2, 28), datetime(2026, 3, 31))  # back to the 31st
    assert plan.applies_change_id == 11 and plan.quantities_after == {SEATS: 6, STORAGE: 50, QUICKSTART: 1}
    assert plan.billing is BillingKind.ADVANCE and plan.billed_period == plan.next_period
    assert amounts(plan) == [("plan", 1, 1, 950, 850), ("resource", 1, 6, 260, 210), ("resource", 50, 50, 650, 550)]
    assert (plan.customer_total, plan.reseller_total) == (1860, 1610)
    assert plan.starts_new_term and plan.term_end_after == datetime(2026, 3, 31)
    assert plan.prices_after == NEW_PRICES


def test_prepaid_renewal_within_the_term_keeps_the_locked_prices():
    sub = subscription(term_months=12, billing_months=1, anchor=datetime(2026, 1, 15), start=datetime(2026, 6, 15),
                       end=datetime(2026, 7, 15), term_end=datetime(2027, 1, 15))
    plan = plan_renewal(sub, datetime(2026, 7, 15, 1))
    assert plan.next_period == Period(datetime(2026, 7, 15), datetime(2026, 8, 15))
    assert amounts(plan) == [("plan", 1, 1, 900, 800), ("resource", 3, 8, 750, 600), ("resource", 50, 50, 600, 500)]
    assert (plan.customer_total, plan.reseller_total) == (2250, 1900)
    assert not plan.starts_new_term and plan.term_end_after == datetime(2027, 1, 15)


def test_the_end_of_a_term_needs_todays_prices_and_starts_a_new_term():
    sub = subscription(term_months=12, billing_months=1, anchor=datetime(2026, 1, 15), start=datetime(2026, 12, 15),
                       end=datetime(2027, 1, 15), term_end=datetime(2027, 1, 15))
    with pytest.raises(TermPricesNeeded):
        plan_renewal(sub, datetime(2027, 1, 15))
    plan = plan_renewal(sub, datetime(2027, 1, 15), new_term_prices=NEW_PRICES)
    assert plan.starts_new_term and plan.term_end_after == datetime(2028, 1, 15)
    assert plan.customer_total == 950 + 3 * 260 + 50 * 13


def test_postpaid_renewal_bills_the_period_just_ended_at_its_peak_and_its_prices():
    sub = subscription(payment_model="postpaid", seats=9)
    plan = plan_renewal(sub, datetime(2026, 4, 1, 2), peaks={SEATS: 12, STORAGE: 50}, new_term_prices=NEW_PRICES)
    assert plan.billing is BillingKind.ARREARS and plan.billed_period == Period(datetime(2026, 3, 1), datetime(2026, 4, 1))
    assert amounts(plan) == [("plan", 1, 1, 900, 800), ("resource", 7, 12, 1750, 1400), ("resource", 50, 50, 600, 500)]
    assert (plan.customer_total, plan.reseller_total) == (3250, 2700)
    assert plan.next_period == Period(datetime(2026, 4, 1), datetime(2026, 5, 1))
    assert plan.quantities_after == {SEATS: 9, STORAGE: 50, QUICKSTART: 1}
    assert plan.prices_after == NEW_PRICES  # for the period that opens
    with pytest.raises(ValueError):
        plan_renewal(sub, datetime(2026, 4, 1, 2), new_term_prices=NEW_PRICES)


def test_a_free_first_month_bills_nothing_and_prepaid_is_first_invoiced_at_its_end():
    trial = dict(anchor=datetime(2026, 3, 10), start=datetime(2026, 3, 10), end=datetime(2026, 4, 10),
                 trial_ends_at=datetime(2026, 4, 10), term_end=datetime(2026, 5, 10))
    prepaid = plan_renewal(subscription(**trial), datetime(2026, 4, 10))
    assert prepaid.billed_period == Period(datetime(2026, 4, 10), datetime(2026, 5, 10))
    assert (prepaid.billing, prepaid.customer_total, prepaid.reseller_total) == (BillingKind.ADVANCE, 2250, 1900)
    assert not prepaid.starts_new_term

    postpaid = plan_renewal(subscription(payment_model="postpaid", **trial), datetime(2026, 4, 10))
    assert postpaid.billing is BillingKind.FREE and postpaid.lines == ()
    assert postpaid.billed_period == Period(datetime(2026, 3, 10), datetime(2026, 4, 10))
    assert postpaid.next_period == Period(datetime(2026, 4, 10), datetime(2026, 5, 10))


def test_a_cancelled_subscription_expires_and_only_postpaid_bills_its_last_period():
    prepaid = plan_renewal(subscription(status="canceled", cancel_at_period_end=True), datetime(2026, 4, 1))
    assert prepaid.action is RenewalAction.EXPIRE
    assert (prepaid.billed_period, prepaid.lines, prepaid.next_period) == (None, (), None)

    postpaid = plan_renewal(subscription(payment_model="postpaid", status="canceled", cancel_at_period_end=True),
                            datetime(2026, 4, 1), peaks={SEATS: 10})
    assert postpaid.action is RenewalAction.EXPIRE and postpaid.billing is BillingKind.ARREARS
    assert (postpaid.customer_total, postpaid.reseller_total) == (900 + 1250 + 600, 800 + 1000 + 500)


def test_cancelled_within_the_free_first_month_nothing_is_charged():
    trial = dict(start=datetime(2026, 3, 10), end=datetime(2026, 4, 10), trial_ends_at=datetime(2026, 4, 10),
                 status="canceled", cancel_at_period_end=True)
    for payment_model in ("prepaid", "postpaid"):
        plan = plan_renewal(subscription(payment_model=payment_model, **trial), datetime(2026, 4, 10), peaks={})
        assert plan.action is RenewalAction.EXPIRE and plan.lines == () and plan.customer_total == 0


def test_a_suspended_subscription_waits_unless_its_cancellation_is_due():
    assert plan_renewal(subscription(status="suspended"), datetime(2026, 4, 2)).action is RenewalAction.WAIT
    ending = subscription(status="suspended", cancel_at_period_end=True)
    assert plan_renewal(ending, datetime(2026, 4, 2)).action is RenewalAction.EXPIRE


def test_nothing_renews_before_the_period_ends_or_outside_the_lifecycle():
    with pytest.raises(RenewalNotDue):
        plan_renewal(subscription(), datetime(2026, 3, 31, 23, 59))
    with pytest.raises(RenewalNotDue):
        plan_renewal(subscription(status="pending"), datetime(2026, 4, 1))
    with pytest.raises(RenewalNotDue):
        plan_renewal(subscription(start=None, end=None), datetime(2026, 4, 1))

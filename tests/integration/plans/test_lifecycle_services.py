"""Lifecycle services against the database: activation, cancel, resume, expiry, renewal,
postpaid peaks, dunning, and the overview queries that leave expired subscriptions out."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.plans import errors
from app.plans.change_quote import quote_change
from app.plans.changes import apply_quantities, change_context, confirm_change, schedule_decrease
from app.plans.lifecycle import (
    cancel,
    close_period,
    expire_due,
    record_charge_failure,
    record_charge_success,
    resume,
)
from app.plans.models import BillingPeriod, QuantityRecord, ScheduledChange, Subscription
from app.plans.periods import Period
from app.plans.queries import (
    billing_periods_to_invoice,
    due_charge_retries,
    due_period_ends,
    live_subscriptions,
    peak_quantity,
    subscription_counts,
)

JAN_31 = datetime(2026, 1, 31, 10)
FEB_28 = datetime(2026, 2, 28, 10)
MAR_1 = datetime(2026, 3, 1, 9)
APR_1 = datetime(2026, 4, 1, 9)


def fresh(subscription) -> Subscription:
    db.session.expire_all()
    return db.session.get(Subscription, subscription.id)


def test_activation_opens_the_first_period_locks_the_prices_and_records_quantities(world, subscribe):
    subscription = fresh(subscribe(JAN_31))
    assert (subscription.status, subscription.activated_at, subscription.period_anchor) == ("active", JAN_31, JAN_31)
    assert (subscription.current_period_start, subscription.current_period_end) == (JAN_31, FEB_28)
    assert subscription.term_end == FEB_28 and subscription.trial_ends_at is None
    assert subscription.locked_prices == {
        "currency": "USD",
        "plan": {"cost": 800, "msrp": 1000, "customer": 1000},
        "resources": {str(world.seats.id): {"cost": 200, "msrp": 300, "customer": 300},
                      str(world.quickstart.id): {"cost": 20000, "msrp": 25000, "customer": 25000}},
    }
    records = db.session.execute(select(QuantityRecord.resource_id, QuantityRecord.quantity, QuantityRecord.recorded_at)).all()
    assert sorted(records) == sorted([(world.seats.id, 8, JAN_31), (world.quickstart.id, 0, JAN_31)])


def test_postponed_billing_starts_with_a_free_month_before_the_term(subscribe):
    at = datetime(2026, 3, 10, 9)
    subscription = fresh(subscribe(at, postponed=True))
    assert subscription.trial_ends_at == subscription.current_period_end == datetime(2026, 4, 10, 9)
    assert subscription.term_end == datetime(2026, 5, 10, 9)


def test_cancel_keeps_the_subscription_until_the_period_ends_and_drops_the_pending_decrease(world, subscribe):
    subscription = subscribe(MAR_1)
    schedule_decrease(subscription.id, {world.seats.id: 6}, datetime(2026, 3, 5))

    outcome = cancel(subscription.id, datetime(2026, 3, 10))
    db.session.commit()

    subscription = fresh(subscription)
    assert (subscription.status, subscription.cancel_at_period_end, subscription.canceled_at) == (
        "canceled", True, datetime(2026, 3, 10))
    assert not outcome.quote.immediate and outcome.quote.effective_at == outcome.quote.resumable_until == APR_1
    assert (outcome.dropped_change.status, outcome.dropped_change.drop_reason) == ("dropped", "cancel")
    with pytest.raises(errors.NotCancellable):
        cancel(subscription.id, datetime(2026, 3, 11))
    with pytest.raises(errors.SubscriptionNotChangeable):
        quote_change(change_context(subscription, datetime(2026, 3, 11)), {world.seats.id: 9}, datetime(2026, 3, 11))


def test_resume_before_the_period_ends_returns_to_active(subscribe):
    subscription = subscribe(MAR_1)
    cancel(subscription.id, datetime(2026, 3, 10))
    resume(subscription.id, datetime(2026, 3, 31, 23))
    db.session.commit()
    subscription = fresh(subscription)
    assert (subscription.status, subscription.cancel_at_period_end, subscription.canceled_at) == ("active", False, None)
    with pytest.raises(errors.NotResumable):
        resume(subscription.id, datetime(2026, 3, 31, 23))  # not cancelled


def test_resume_after_the_period_ended_is_refused_and_changes_nothing(subscribe):
    subscription = subscribe(MAR_1)
    cancel(subscription.id, datetime(2026, 3, 10))
    db.session.commit()
    with pytest.raises(errors.NotResumable):
        resume(subscription.id, APR_1)
    db.session.rollback()
    assert fresh(subscription).status == "canceled"


def test_cancelling_within_a_window_ends_at_once_with_a_pro_rata_refund(subscribe, make_plan_with_seats):
    plan = make_plan_with_seats(cancel_policy="window", cancel_window_days=14)
    subscription = subscribe(MAR_1, plan=plan)
    now = datetime(2026, 3, 5, 12)  # 27 of 31 days left

    outcome = cancel(subscription.id, now)
    db.session.commit()

    assert outcome.quote.immediate
    # customer: 1000 x 27/31 = 870.97 and 3 seats x 300 x 27/31 = 783.87; reseller: 696.77 and 522.58
    assert (outcome.quote.customer_refund, outcome.quote.reseller_refund) == (-1655, -1220)
    subscription = fresh(subscription)
    assert (subscription.status, subscription.expired_at, subscription.canceled_at) == ("expired", now, now)


def test_expire_due_expires_cancelled_subscriptions_whose_period_ended_once(world, subscribe):
    ending = subscribe(MAR_1)
    staying = subscribe(MAR_1, owner=world.second_customer)
    cancel(ending.id, datetime(2026, 3, 10))
    db.session.commit()

    assert expire_due(datetime(2026, 4, 1, 8, 59)) == []
    assert expire_due(datetime(2026, 4, 1, 9, 30)) == [ending.id]
    db.session.commit()
    assert expire_due(datetime(2026, 4, 2)) == []

    assert (fresh(ending).status, fresh(ending).expired_at) == ("expired", APR_1)
    assert fresh(staying).status == "active"
    assert db.session.scalars(live_subscriptions()).all() == [fresh(staying)]
    assert db.session.scalar(select(func.count(BillingPeriod.id))) == 0  # prepaid: nothing more to bill


def test_the_renewal_applies_the_scheduled_decrease_opens_the_next_period_and_records_the_bill_once(world, subscribe):
    subscription = subscribe(JAN_31)
    schedule_decrease(subscription.id, {world.seats.id: 6}, datetime(2026, 2, 10))
    db.session.commit()
    assert close_period(subscription.id, datetime(2026, 2, 28, 9, 59)) is None  # not yet due
    assert due_period_ends(FEB_28) == [subscription.id]

    closed = close_period(subscription.id, FEB_28)
    db.session.commit()

    subscription = fresh(subscription)
    assert (subscription.current_period_start, subscription.current_period_end) == (FEB_28, datetime(2026, 3, 31, 10))
    assert subscription.quantity_of(world.seats.id) == 6 and subscription.term_end == datetime(2026, 3, 31, 10)
    assert (closed.applied_change.status, closed.applied_change.closed_at) == ("applied", FEB_28)
    period = closed.billing_period
    assert (period.period_start, period.period_end, period.kind, period.status) == (
        FEB_28, datetime(2026, 3, 31, 10), "advance", "to_invoice")
    assert (period.customer_amount, period.reseller_amount) == (1300, 1000)  # plan 1000/800 + 1 seat 300/200
    assert [(line["kind"], line["quantity"], line["customer_amount"]) for line in period.lines] == [
        ("plan", 1, 1000), ("resource", 1, 300)]
    assert billing_periods_to_invoice() == [period]

    assert close_period(subscription.id, FEB_28) is None  # run twice: nothing more
    assert due_period_ends(FEB_28) == []
    assert db.session.scalar(select(func.count(BillingPeriod.id))) == 1


def test_a_cancelled_postpaid_subscription_is_billed_its_peak_when_it_expires(world, subscribe, make_plan_with_seats):
    plan = make_plan_with_seats(payment_model="postpaid")
    subscription = subscribe(MAR_1, plan=plan)
    raise_to_12 = quote_change(change_context(subscription, datetime(2026, 3, 10)), {world.seats.id: 12},
                               datetime(2026, 3, 10))
    confirm_change(subscription.id, {world.seats.id: 12}, raise_to_12.fingerprint, datetime(2026, 3, 10))
    apply_quantities(subscription.id, {world.seats.id: 9}, datetime(2026, 3, 20))
    cancel(subscription.id, datetime(2026, 3, 25))
    db.session.commit()
    assert raise_to_12.customer_total == 0  # postpaid: billed at the period's end
    assert peak_quantity(fresh(subscription), world.seats.id, Period(MAR_1, APR_1)) == 12

    assert expire_due(APR_1) == [subscription.id]
    db.session.commit()

    (period,) = db.session.scalars(select(BillingPeriod)).all()
    assert (period.period_start, period.period_end, period.kind, period.status) == (MAR_1, APR_1, "arrears", "to_invoice")
    assert (period.customer_amount, period.reseller_amount) == (3100, 2200)  # 1000 + 7 x 300; 800 + 7 x 200
    assert fresh(subscription).status == "expired"


def test_peak_quantity_falls_back_to_the_current_quantity_without_records(world, subscribe):
    subscription = subscribe(MAR_1, seats=7)
    db.session.execute(QuantityRecord.__table__.delete())
    assert peak_quantity(fresh(subscription), world.seats.id, Period(MAR_1, APR_1)) == 7


def test_failed_charges_are_retried_then_suspend_and_payment_resumes(subscribe):
    subscription = subscribe(MAR_1)
    first = datetime(2026, 4, 1, 6)
    steps = [record_charge_failure(subscription.id, at) for at in
             (first, datetime(2026, 4, 2, 6), datetime(2026, 4, 4, 6))]
    db.session.commit()
    assert [step.at for step in steps] == [datetime(2026, 4, 2, 6), datetime(2026, 4, 4, 6), datetime(2026, 4, 6, 6)]
    assert due_charge_retries(datetime(2026, 4, 6, 6)) == [subscription.id]
    assert (fresh(subscription).status, fresh(subscription).charge_attempts) == ("active", 3)

    last = record_charge_failure(subscription.id, datetime(2026, 4, 6, 6))
    db.session.commit()
    assert last.suspends
    suspended = fresh(subscription)
    assert (suspended.status, suspended.suspended_at, suspended.next_charge_attempt_at) == (
        "suspended", datetime(2026, 4, 6, 6), None)
    assert due_charge_retries(datetime(2026, 5, 1)) == []

    assert record_charge_success(subscription.id, datetime(2026, 4, 7)) is True
    db.session.commit()
    resumed = fresh(subscription)
    assert (resumed.status, resumed.charge_attempts, resumed.charge_failed_since, resumed.suspended_at) == (
        "active", 0, None, None)


def test_paying_a_suspended_subscription_with_a_pending_cancellation_returns_it_to_cancelled(subscribe):
    subscription = subscribe(MAR_1)
    cancel(subscription.id, datetime(2026, 3, 2))
    for day in (1, 2, 4, 6):
        record_charge_failure(subscription.id, datetime(2026, 3, day, 12))
    db.session.commit()
    assert fresh(subscription).status == "suspended"
    assert close_period(subscription.id, datetime(2026, 3, 20)) is None  # not due yet: nothing happens

    assert record_charge_success(subscription.id, datetime(2026, 3, 8)) is True
    db.session.commit()
    assert fresh(subscription).status == "canceled"


def test_a_suspended_subscription_waits_at_its_period_end(subscribe):
    subscription = subscribe(MAR_1)
    for day in (1, 2, 4, 6):
        record_charge_failure(subscription.id, datetime(2026, 3, day, 12))
    closed = close_period(subscription.id, APR_1)
    db.session.commit()
    assert closed.plan.action.value == "wait" and closed.billing_period is None
    assert fresh(subscription).current_period_end == APR_1
    assert due_period_ends(datetime(2026, 4, 5)) == []  # the duty loop does not spin on it


def test_overview_counts_leave_out_expired_subscriptions_and_other_resellers(world, subscribe, count_queries):
    active = subscribe(MAR_1, seats=8)
    pending = subscribe(MAR_1, seats=10, owner=world.second_customer)
    schedule_decrease(pending.id, {world.seats.id: 6}, datetime(2026, 3, 2))
    canceled = subscribe(MAR_1, seats=6)
    cancel(canceled.id, datetime(2026, 3, 2))
    expired = subscribe(datetime(2026, 2, 1, 9), seats=7)
    cancel(expired.id, datetime(2026, 2, 2))
    expire_due(MAR_1)
    subscribe(MAR_1, seats=20, owner=world.foreign_customer, payer=world.other_reseller)
    db.session.commit()
    mine = Subscription.payer_id == world.reseller.id

    with count_queries() as counter:
        counts = subscription_counts(mine)
    assert counter.count == 2
    # the "Active" card counts the active subscription with a scheduled change too, as the table does
    assert (counts.total, counts.active, counts.change_scheduled, counts.provisioning, counts.canceled, counts.suspended,
            counts.seats) == (3, 2, 1, 0, 1, 0, 24)
    assert {s.id for s in db.session.scalars(live_subscriptions(mine))} == {active.id, pending.id, canceled.id}
    assert db.session.get(Subscription, expired.id).status == "expired"  # history keeps it
    assert db.session.scalar(select(func.count(ScheduledChange.id))) == 1


def test_catching_up_fourteen_months_renews_on_every_anniversary_once(world, subscribe):
    from app.core.clock import TravelClock

    clock = TravelClock(JAN_31)
    subscription = subscribe(clock.now(), seats=8)
    clock.travel_to(datetime(2027, 3, 31, 12))
    while due := due_period_ends(clock.now()):  # what the periodic duty does, one commit each
        for subscription_id in due:
            close_period(subscription_id, clock.now())
            db.session.commit()

    periods = db.session.scalars(select(BillingPeriod).order_by(BillingPeriod.period_start)).all()
    assert [p.period_start.day for p in periods] == [28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31]
    assert {(p.customer_amount, p.reseller_amount) for p in periods} == {(1900, 1400)}  # 1000 + 3 x 300; 800 + 3 x 200
    assert fresh(subscription).current_period_end == datetime(2027, 4, 30, 10)

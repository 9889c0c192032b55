"""Quantity changes against the database: scheduled decreases, confirming quotes, dropping the
pending decrease on an increase, window refunds, and two simultaneous changes (PostgreSQL)."""
import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.plans import errors
from app.plans.change_quote import quote_change
from app.plans.changes import cancel_scheduled_change, change_context, confirm_change, schedule_decrease
from app.plans.models import QuantityRecord, ScheduledChange
from app.plans.queries import DisplayStatus, display_status, scheduled_change_of

FEB_1 = datetime(2026, 2, 1, 9)  # a 28-day period: 1 February 09:00 to 1 March 09:00
FEB_11 = datetime(2026, 2, 11, 15)  # 18 days left
MAR_1 = datetime(2026, 3, 1, 9)


def seats_of(subscription, world):
    db.session.expire_all()
    return db.session.get(type(subscription), subscription.id).quantity_of(world.seats.id)


def scheduled_rows():
    return db.session.scalars(select(ScheduledChange).order_by(ScheduledChange.id)).all()


def test_a_decrease_is_scheduled_shown_as_change_scheduled_and_can_be_withdrawn(world, subscribe):
    subscription = subscribe(FEB_1)

    change = schedule_decrease(subscription.id, {world.seats.id: 6}, FEB_11, created_by_id=world.users.reseller.id)
    db.session.commit()

    assert (change.status, change.targets, change.effective_at, change.created_at) == (
        "scheduled", {world.seats.id: 6}, MAR_1, FEB_11)
    assert seats_of(subscription, world) == 8  # no refund, nothing changes before the period ends
    assert display_status(subscription, scheduled_change_of(subscription.id)) == DisplayStatus(
        "change_scheduled", "Change scheduled for 01 March 2026")

    dropped = cancel_scheduled_change(subscription.id, datetime(2026, 2, 12))
    db.session.commit()
    assert (dropped.status, dropped.drop_reason, dropped.closed_at) == ("dropped", "withdrawn", datetime(2026, 2, 12))
    assert display_status(subscription, scheduled_change_of(subscription.id)) == DisplayStatus("active", "Active")
    with pytest.raises(errors.NoScheduledChange):
        cancel_scheduled_change(subscription.id, datetime(2026, 2, 12))


def test_a_second_decrease_replaces_the_first_merged_by_resource(world, subscribe):
    subscription = subscribe(FEB_1, seats=10)
    schedule_decrease(subscription.id, {world.seats.id: 8}, FEB_11)
    replacement = schedule_decrease(subscription.id, {world.seats.id: 6}, datetime(2026, 2, 12))
    db.session.commit()
    assert [row.status for row in scheduled_rows()] == ["dropped", "scheduled"]
    assert replacement.targets == {world.seats.id: 6}


def test_decreases_below_the_minimum_or_upwards_are_refused_and_nothing_is_stored(world, subscribe):
    subscription = subscribe(FEB_1)
    with pytest.raises(errors.BelowMinimum):
        schedule_decrease(subscription.id, {world.seats.id: 4}, FEB_11)
    with pytest.raises(errors.NothingToChange):
        schedule_decrease(subscription.id, {world.seats.id: 9}, FEB_11)
    db.session.rollback()
    assert scheduled_rows() == [] and seats_of(subscription, world) == 8


def test_confirming_an_increase_charges_pro_rata_applies_it_and_drops_the_pending_decrease(world, subscribe):
    subscription = subscribe(FEB_1)
    schedule_decrease(subscription.id, {world.seats.id: 6}, FEB_11)
    db.session.commit()
    quote = quote_change(change_context(subscription, FEB_11), {world.seats.id: 10}, FEB_11)

    confirmed = confirm_change(subscription.id, {world.seats.id: 10}, quote.fingerprint, FEB_11)
    db.session.commit()

    assert (quote.customer_total, quote.reseller_total, quote.margin_total) == (386, 257, 129)  # 385.71, 257.14
    assert quote.drops_scheduled_change and confirmed.scheduled_change is None
    assert (confirmed.dropped_change.status, confirmed.dropped_change.drop_reason) == ("dropped", "increase")
    assert confirmed.quantities_now == {world.seats.id: 10}
    assert seats_of(subscription, world) == 10
    assert db.session.scalar(select(QuantityRecord.quantity).where(QuantityRecord.recorded_at == FEB_11)) == 10


def test_a_confirmation_of_a_stale_quote_is_refused_and_changes_nothing(world, subscribe):
    subscription = subscribe(FEB_1)
    schedule_decrease(subscription.id, {world.seats.id: 6}, FEB_11)
    db.session.commit()
    quote = quote_change(change_context(subscription, FEB_11), {world.seats.id: 10}, FEB_11)

    with pytest.raises(errors.QuoteChanged):  # a day later, fewer days are left: another amount
        confirm_change(subscription.id, {world.seats.id: 10}, quote.fingerprint, datetime(2026, 2, 12, 9))
    db.session.rollback()

    assert seats_of(subscription, world) == 8
    assert [row.status for row in scheduled_rows()] == ["scheduled"]


def test_a_confirmed_decrease_is_stored_as_the_scheduled_change(world, subscribe):
    subscription = subscribe(FEB_1)
    quote = quote_change(change_context(subscription, FEB_11), {world.seats.id: 6}, FEB_11)
    confirmed = confirm_change(subscription.id, {world.seats.id: 6}, quote.fingerprint, FEB_11,
                               created_by_id=world.users.customer.id, by_customer=True)
    db.session.commit()
    assert confirmed.scheduled_change.targets == {world.seats.id: 6}
    assert confirmed.scheduled_change.created_by_id == world.users.customer.id
    assert quote.customer_total == 0 and seats_of(subscription, world) == 8


def test_a_window_policy_refunds_seats_added_within_the_window(world, subscribe, make_plan_with_seats):
    plan = make_plan_with_seats(decrease_policy="window", decrease_window_days=7)
    subscription = subscribe(datetime(2026, 3, 1, 9), plan=plan)
    increase = quote_change(change_context(subscription, datetime(2026, 3, 5, 9)), {world.seats.id: 12},
                            datetime(2026, 3, 5, 9))
    confirm_change(subscription.id, {world.seats.id: 12}, increase.fingerprint, datetime(2026, 3, 5, 9))
    db.session.commit()

    assert change_context(subscription, datetime(2026, 3, 13, 9)).refundable[world.seats.id] == 0  # window passed
    march_9 = datetime(2026, 3, 9, 9)  # 23 of 31 days left
    assert change_context(subscription, march_9).refundable[world.seats.id] == 4
    undo = quote_change(change_context(subscription, march_9), {world.seats.id: 8}, march_9)
    confirm_change(subscription.id, {world.seats.id: 8}, undo.fingerprint, march_9)
    db.session.commit()

    assert (undo.customer_total, undo.reseller_total) == (-890, -594)  # 890.32, 593.55
    assert undo.lines[0].effective_at == march_9 and seats_of(subscription, world) == 8
    assert scheduled_rows() == []


@pytest.mark.postgres_only
def test_two_simultaneous_increases_serialise_under_the_row_lock(app, world, subscribe):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    subscription = subscribe(FEB_1)
    subscription_id, seats_id = subscription.id, world.seats.id
    both_quoted = threading.Barrier(2)
    charged, failures = [], []

    def add_seats(extra: int) -> None:
        with app.app_context():
            try:
                first = True
                while True:
                    current = db.session.get(type(subscription), subscription_id)
                    target = current.quantity_of(seats_id) + extra
                    quote = quote_change(change_context(current, FEB_11), {seats_id: target}, FEB_11)
                    db.session.rollback()
                    if first:
                        both_quoted.wait(timeout=10)
                        first = False
                    try:
                        confirmed = confirm_change(subscription_id, {seats_id: target}, quote.fingerprint, FEB_11)
                        db.session.commit()
                        charged.append(confirmed.quote.customer_total)
                        return
                    except errors.QuoteChanged:
                        db.session.rollback()
                        db.session.expire_all()
            except Exception as error:  # surfaced by the assertion below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=add_seats, args=(extra,)) for extra in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert seats_of(subscription, world) == 13
    assert sorted(charged) == [386, 579]  # 300 x 2 x 18/28 = 385.71 and 300 x 3 x 18/28 = 578.57
    assert db.session.scalar(select(func.count(QuantityRecord.id)).where(QuantityRecord.resource_id == seats_id)) == 3


def test_a_subscription_still_being_provisioned_cannot_be_changed_or_cancelled(world, subscribe):
    from app.plans.lifecycle import cancel
    from app.plans.models import Subscription

    subscription = subscribe(FEB_1)
    pending = Subscription(owner_id=world.customer.id, payer_id=world.reseller.id, plan_id=subscription.plan_id,
                           plan_term_id=subscription.plan_term_id, marketplace_id=world.us.id, currency="USD")
    db.session.add(pending)
    db.session.commit()
    with pytest.raises(errors.SubscriptionNotChangeable):
        change_context(pending, FEB_11)
    with pytest.raises(errors.NotCancellable):
        cancel(pending.id, FEB_11)
    db.session.rollback()
    assert db.session.get(Subscription, pending.id).status == "pending"

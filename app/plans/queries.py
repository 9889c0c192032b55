"""Read-only queries of subscriptions: overview tables and counts, due work, quantity history."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from sqlalchemy import Select, and_, case, exists, func, select

from app.catalog.models import Resource
from app.extensions import db
from app.plans.models import (
    BillingPeriod,
    BillingPeriodStatus,
    QuantityRecord,
    ScheduledChange,
    ScheduledChangeStatus,
    Subscription,
    SubscriptionResource,
)
from app.plans.periods import Period
from app.plans.states import SubscriptionStatus
from app.plans.usage import peak_of

S = SubscriptionStatus


def live_subscriptions(*criteria) -> Select:
    """Subscriptions for overview tables: every status but ``expired`` (history keeps those).
    ``criteria`` scope it, e.g. ``Subscription.payer_id == reseller.id``."""
    return select(Subscription).where(Subscription.status != S.EXPIRED.value, *criteria)


def _has_scheduled_change():
    return exists().where(
        ScheduledChange.subscription_id == Subscription.id,
        ScheduledChange.status == ScheduledChangeStatus.SCHEDULED.value,
    )


@dataclass(frozen=True)
class SubscriptionCounts:
    """Counted as ``display_status`` shows them: every "Active" and "Change scheduled" row is active."""

    total: int = 0
    active: int = 0  # active, with or without a scheduled change
    change_scheduled: int = 0  # of those, the ones with a scheduled change
    provisioning: int = 0  # not provisioned yet (awaiting payment included)
    canceled: int = 0  # ending at the period's end
    suspended: int = 0
    failed: int = 0
    seats: int = 0  # seats across the live subscriptions


def subscription_counts(*criteria) -> SubscriptionCounts:
    """The summary cards of an overview, over ``live_subscriptions(*criteria)``, counting the
    way the table labels (``display_status``): two queries."""
    scheduled = _has_scheduled_change()
    status = Subscription.status

    def count_when(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            func.count(Subscription.id),
            count_when(status == S.ACTIVE.value),
            count_when(and_(status == S.ACTIVE.value, scheduled)),
            count_when(status == S.PENDING.value),
            count_when(status == S.CANCELED.value),
            count_when(status == S.SUSPENDED.value),
            count_when(status == S.FAILED.value),
        ).where(Subscription.status != S.EXPIRED.value, *criteria)
    ).one()
    seats = db.session.scalar(
        select(func.coalesce(func.sum(SubscriptionResource.quantity), 0))
        .join(Subscription, Subscription.id == SubscriptionResource.subscription_id)
        .join(Resource, Resource.id == SubscriptionResource.resource_id)
        .where(Resource.measures_seats.is_(True), Subscription.status != S.EXPIRED.value, *criteria)
    )
    return SubscriptionCounts(*(int(value) for value in row), seats=int(seats))


@dataclass(frozen=True)
class OwnerTotals:
    subscriptions: int = 0  # live (not expired) subscriptions
    seats: int = 0  # seats across them


def totals_by_owner(owner_ids: Iterable[int]) -> dict[int, OwnerTotals]:
    """Live subscriptions and seats of each of these organisations (as owner), in one grouped
    query (for a page of customers); an organisation without any is absent."""
    ids = list(owner_ids)
    if not ids:
        return {}
    seats = case((Resource.measures_seats.is_(True), SubscriptionResource.quantity), else_=0)
    rows = db.session.execute(
        select(Subscription.owner_id, func.count(func.distinct(Subscription.id)), func.coalesce(func.sum(seats), 0))
        .outerjoin(SubscriptionResource, SubscriptionResource.subscription_id == Subscription.id)
        .outerjoin(Resource, Resource.id == SubscriptionResource.resource_id)
        .where(Subscription.owner_id.in_(ids), Subscription.status != S.EXPIRED.value)
        .group_by(Subscription.owner_id))
    return {owner: OwnerTotals(int(count), int(total)) for owner, count, total in rows}


def scheduled_changes_for(subscription_ids: Iterable[int]) -> dict[int, ScheduledChange]:
    """The pending decrease of each subscription that has one, in one query (for tables)."""
    ids = list(subscription_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(ScheduledChange).where(
            ScheduledChange.subscription_id.in_(ids),
            ScheduledChange.status == ScheduledChangeStatus.SCHEDULED.value,
        )
    )
    return {row.subscription_id: row for row in rows}


def scheduled_change_of(subscription_id: int) -> ScheduledChange | None:
    return scheduled_changes_for([subscription_id]).get(subscription_id)


@dataclass(frozen=True)
class DisplayStatus:
    """A subscription's state as every page shows it: ``code`` for markup and styles, ``label``
    for people. Each code means one thing."""

    code: str
    label: str
    # The day the state turns: a scheduled change's effective date, a canceled one's end.
    date: datetime | None = field(default=None, compare=False)

    @property
    def overview_label(self) -> str:
        """The words of the reseller's overview table (seed 001): "Pending" with the date of a
        scheduled change, "Canceled" with its end date, else the label."""
        if self.code == "change_scheduled" and self.date is not None:
            return f"Pending: changes on {self.date:%d %b %Y}"
        if self.code == S.CANCELED.value and self.date is not None:
            return f"Canceled: ends {self.date:%d %b %Y}"
        return self.label


STATUS_LABELS = {
    S.PENDING.value: "Provisioning",
    S.ACTIVE.value: "Active",
    S.CANCELED.value: "Canceled",
    S.EXPIRED.value: "Expired",
    S.FAILED.value: "Provisioning failed",
    S.SUSPENDED.value: "Suspended",
}
AWAITING_PAYMENT = DisplayStatus("awaiting_payment", "Awaiting payment")


def display_status(subscription: Subscription, scheduled_change: ScheduledChange | None = None,
                   awaiting_payment: bool = False) -> DisplayStatus:
    """The one status label of a subscription, used by every page: "Provisioning" until the
    vendor has it ("Awaiting payment" while its order, ``awaiting_payment``, is not paid),
    "Change scheduled for <date>" for an active one with ``scheduled_change``, else its state."""
    return display_status_of(subscription.status, scheduled_change.effective_at if scheduled_change else None,
                             awaiting_payment, getattr(subscription, "current_period_end", None))


def display_status_of(status: str, change_effective_at: datetime | None = None, awaiting_payment: bool = False,
                      period_end: datetime | None = None) -> DisplayStatus:
    """``display_status`` from plain values (for tables that select columns, not rows):
    the state, the scheduled change's effective date, whether its order awaits payment, and
    the current period's end (a canceled subscription's last day)."""
    if status == S.PENDING.value and awaiting_payment:
        return AWAITING_PAYMENT
    if status == S.ACTIVE.value and change_effective_at is not None:
        return DisplayStatus("change_scheduled", f"Change scheduled for {change_effective_at:%d %B %Y}", change_effective_at)
    date = period_end if status == S.CANCELED.value else None
    return DisplayStatus(status, STATUS_LABELS.get(status, status.replace("_", " ").capitalize()), date)


def change_dropped_by_cancellation(subscription_id: int, canceled_at: datetime | None) -> ScheduledChange | None:
    """The decrease that the cancellation made at ``canceled_at`` dropped, if there was one."""
    if canceled_at is None:
        return None
    return db.session.scalars(
        select(ScheduledChange).where(
            ScheduledChange.subscription_id == subscription_id,
            ScheduledChange.status == ScheduledChangeStatus.DROPPED.value,
            ScheduledChange.drop_reason == "cancel",
            ScheduledChange.closed_at == canceled_at,
        ).order_by(ScheduledChange.id.desc())
    ).first()


def status_of(subscription: Subscription | None, awaiting_payment: bool = False) -> DisplayStatus:
    """``display_status`` of one subscription (None: not written yet, so still to provision),
    looking up its scheduled change: for pages showing a few, such as an order's lines."""
    if subscription is None:
        return AWAITING_PAYMENT if awaiting_payment else DisplayStatus(S.PENDING.value, STATUS_LABELS[S.PENDING.value])
    scheduled = scheduled_change_of(subscription.id) if subscription.status == S.ACTIVE.value else None
    return display_status(subscription, scheduled, awaiting_payment)


def due_period_ends(now: datetime, limit: int = 500) -> list[int]:
    """Ids of subscriptions whose billing period ended by ``now`` and that renew or expire
    (a suspended one only when its cancellation is pending: otherwise it waits for payment, so
    a loop "until nothing is due" ends)."""
    return list(db.session.scalars(
        select(Subscription.id)
        .where(
            Subscription.current_period_end <= now,
            Subscription.status.in_([S.ACTIVE.value, S.CANCELED.value])
            | ((Subscription.status == S.SUSPENDED.value) & Subscription.cancel_at_period_end.is_(True)),
        )
        .order_by(Subscription.id)
        .limit(limit)
    ))


def due_expiries(now: datetime) -> list[int]:
    """Ids of cancelled subscriptions (also suspended ones) whose last period ended by ``now``."""
    return list(db.session.scalars(
        select(Subscription.id)
        .where(
            Subscription.cancel_at_period_end.is_(True),
            Subscription.status.in_([S.CANCELED.value, S.SUSPENDED.value]),
            Subscription.current_period_end <= now,
        )
        .order_by(Subscription.id)
    ))


def due_charge_retries(now: datetime) -> list[int]:
    """Ids of subscriptions whose failed charge is to be tried again by ``now``."""
    return list(db.session.scalars(
        select(Subscription.id).where(Subscription.next_charge_attempt_at <= now).order_by(Subscription.id)
    ))


def quantity_records(subscription_id: int, resource_id: int, until: datetime) -> list[tuple[datetime, int]]:
    return [
        (row.recorded_at, row.quantity)
        for row in db.session.execute(
            select(QuantityRecord.recorded_at, QuantityRecord.quantity)
            .where(
                QuantityRecord.subscription_id == subscription_id,
                QuantityRecord.resource_id == resource_id,
                QuantityRecord.recorded_at < until,
            )
            .order_by(QuantityRecord.recorded_at, QuantityRecord.id)
        )
    ]


def peak_quantity(subscription: Subscription, resource_id: int, period: Period) -> int:
    """The highest quantity of the resource in effect during ``period`` (the quantity at its
    start included); the current quantity when nothing was recorded."""
    peak = peak_of(quantity_records(subscription.id, resource_id, period.end), period)
    return subscription.quantity_of(resource_id) if peak is None else peak


def billing_periods_to_invoice(limit: int = 500) -> list[BillingPeriod]:
    """Recorded periods whose invoice is still to be made, oldest first (for part 2's job)."""
    return list(db.session.scalars(
        select(BillingPeriod)
        .where(BillingPeriod.status == BillingPeriodStatus.TO_INVOICE.value)
        .order_by(BillingPeriod.period_start, BillingPeriod.id)
        .limit(limit)
    ))

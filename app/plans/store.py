"""Low-level writes shared by the lifecycle services: the row lock, quantities with their
history, and the pending scheduled change. Callers commit."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from sqlalchemy import select

from app.core.locks import locked_one
from app.extensions import db
from app.plans.models import (
    QuantityRecord,
    ScheduledChange,
    ScheduledChangeStatus,
    Subscription,
    SubscriptionResource,
)


def lock_subscription(subscription_id: int) -> Subscription:
    """The subscription, locked (``SELECT ... FOR UPDATE`` on PostgreSQL) and read afresh with
    its resources: every service that changes quantities or states starts here, so two
    changes of one subscription run one after the other and the second sees the first."""
    subscription = locked_one(select(Subscription).where(Subscription.id == subscription_id))
    db.session.scalars(
        select(SubscriptionResource)
        .where(SubscriptionResource.subscription_id == subscription_id)
        .execution_options(populate_existing=True)
    ).all()
    db.session.expire(subscription, ["resources"])
    return subscription


def set_quantities(subscription: Subscription, quantities: Mapping[int, int], at: datetime) -> dict[int, int]:
    """Sets the subscription's quantities and records each change from ``at`` on (postpaid
    peaks and window refunds read the records). Returns the resources that changed."""
    rows = {row.resource_id: row for row in subscription.resources}
    changed = {}
    for resource_id, quantity in sorted(quantities.items()):
        row = rows.get(resource_id)
        if row is None:
            row = SubscriptionResource(resource_id=resource_id, quantity=0)
            subscription.resources.append(row)
        if row.quantity != quantity or resource_id not in rows:
            row.quantity = quantity
            changed[resource_id] = quantity
            db.session.add(QuantityRecord(subscription_id=subscription.id, resource_id=resource_id,
                                          quantity=quantity, recorded_at=at))
    db.session.flush()
    return changed


def pending_change(subscription_id: int) -> ScheduledChange | None:
    return db.session.scalars(
        select(ScheduledChange).where(
            ScheduledChange.subscription_id == subscription_id,
            ScheduledChange.status == ScheduledChangeStatus.SCHEDULED.value,
        )
    ).first()


def drop_pending_change(subscription_id: int, now: datetime, reason: str) -> ScheduledChange | None:
    """Marks the pending scheduled change dropped (kept for history); None if there was none."""
    change = pending_change(subscription_id)
    if change is not None:
        change.status = ScheduledChangeStatus.DROPPED.value
        change.closed_at = now
        change.drop_reason = reason
        db.session.flush()
    return change

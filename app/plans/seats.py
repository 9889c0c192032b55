"""Seats of organisation subscriptions given to the owner's users (``SeatAssignment``), and the
user a single-user subscription was activated for.

Guarantees: never more seats assigned than the subscription has, nor than it will have once a
pending decrease applies (the count is checked under the subscription's row lock, the lock
every quantity change takes too, so an assignment and a lowering of seats cannot pass each
other); seats are not lowered below the number assigned (``change_quote.validate_quantities``
reads ``assigned_count``); a removed user's seats are released. Nothing here commits; an
invitation it returns is for the caller to mail (``app.mail.notices.member_invited``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from app.accounts import members
from app.accounts.members import Invitation
from app.accounts.models import User
from app.catalog.models import PlanKind
from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.plans.models import SeatAssignment, Subscription
from app.plans.states import SubscriptionStatus
from app.plans.store import lock_subscription, pending_change

S = SubscriptionStatus
CLOSED = (S.EXPIRED.value, S.FAILED.value)


class SeatRefused(Refusal):
    """A seat cannot be assigned or unassigned as asked; nothing changed."""

    kind = RefusalKind.CONFLICT


def is_single_user(subscription: Subscription) -> bool:
    return subscription.plan.kind == PlanKind.SINGLE_USER.value


def seat_resource_ids(subscription: Subscription) -> set[int]:
    return {pr.resource_id for pr in subscription.plan.resources if pr.resource.measures_seats}


def seats_of(subscription: Subscription) -> int:
    """The seats the subscription holds now."""
    ids = seat_resource_ids(subscription)
    return sum(row.quantity for row in subscription.resources if row.resource_id in ids)


def seat_limit(subscription: Subscription) -> int:
    """How many seats may be assigned: the seats held, or fewer when a decrease is pending (its
    seats would be lowered below the assigned ones at the next period)."""
    held, change = seats_of(subscription), pending_change(subscription.id)
    if change is None:
        return held
    ids, targets = seat_resource_ids(subscription), change.targets
    after = sum(targets.get(row.resource_id, row.quantity) for row in subscription.resources if row.resource_id in ids)
    return min(held, after)


def assigned_count(subscription_id: int) -> int:
    return db.session.scalar(select(func.count(SeatAssignment.id))
                             .where(SeatAssignment.subscription_id == subscription_id)) or 0


def assignments_of(subscription_id: int) -> list[SeatAssignment]:
    """The subscription's assignments with their users, oldest first, in one query."""
    return list(db.session.scalars(
        select(SeatAssignment).options(joinedload(SeatAssignment.user), joinedload(SeatAssignment.assigned_by))
        .where(SeatAssignment.subscription_id == subscription_id).order_by(SeatAssignment.id)
    ))


@dataclass(frozen=True)
class Assigned:
    assignment: SeatAssignment
    invitation: Invitation  # ``invitation.token`` is set when a new user was invited


def assign_seat(subscription_id: int, email: str, assigned_by: User | None, now: datetime) -> Assigned:
    """Assigns a seat of an organisation subscription to ``email``: an existing user of the
    owner, or a new member invited (``app.accounts.members.invite_for_seat``). Refuses a
    single-user or closed subscription, a user who holds a seat of it already, and an
    assignment beyond ``seat_limit``."""
    subscription = lock_subscription(subscription_id)
    if is_single_user(subscription):
        raise SeatRefused("A single-user subscription has one seat: it belongs to the user it was activated for.")
    if subscription.status in CLOSED:
        raise SeatRefused(f"Seats of a {subscription.status} subscription cannot be assigned.")
    limit, assigned = seat_limit(subscription), assigned_count(subscription.id)
    if assigned >= limit:
        pending = " (a decrease is scheduled)" if limit < seats_of(subscription) else ""
        raise SeatRefused(f"All {limit} seats are assigned{pending}: unassign a seat or raise the seats first.")
    invitation = members.invite_for_seat(subscription.owner, email, now)
    user = invitation.user
    if db.session.scalar(select(SeatAssignment.id).where(SeatAssignment.subscription_id == subscription.id,
                                                         SeatAssignment.user_id == user.id)):
        raise SeatRefused(f"{user.email} has a seat of this subscription already.")
    assignment = SeatAssignment(subscription_id=subscription.id, user_id=user.id, assigned_at=now,
                                assigned_by_id=assigned_by.id if assigned_by is not None else None)
    db.session.add(assignment)
    db.session.flush()
    return Assigned(assignment, invitation)


def unassign_seat(subscription_id: int, assignment_id: int) -> SeatAssignment:
    """Frees one seat of the subscription; refuses an assignment that is not of it."""
    subscription = lock_subscription(subscription_id)
    assignment = db.session.scalar(select(SeatAssignment).where(SeatAssignment.id == assignment_id,
                                                                SeatAssignment.subscription_id == subscription.id))
    if assignment is None:
        raise SeatRefused("This seat is not assigned (any more).", kind=RefusalKind.NOT_FOUND)
    if is_single_user(subscription):
        raise SeatRefused("A single-user subscription keeps the user it was activated for.")
    db.session.delete(assignment)
    db.session.flush()
    return assignment


def record_activated_user(subscription: Subscription, user: User, now: datetime) -> SeatAssignment | None:
    """A single-user subscription's one seat, held by the user its activation invitation went
    to (once; provisioning calls it when the subscription is ready)."""
    if not is_single_user(subscription) or user.organisation_id != subscription.owner_id:
        return None
    existing = db.session.scalar(select(SeatAssignment).where(SeatAssignment.subscription_id == subscription.id))
    if existing is not None:
        return existing
    assignment = SeatAssignment(subscription_id=subscription.id, user_id=user.id, assigned_at=now)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def activated_user(subscription: Subscription) -> User | None:
    """The user a single-user subscription was activated for, if recorded."""
    return db.session.scalar(select(User).join(SeatAssignment, SeatAssignment.user_id == User.id)
                             .where(SeatAssignment.subscription_id == subscription.id).limit(1))


def _release_seats(user: User, now: datetime) -> None:
    db.session.execute(delete(SeatAssignment).where(SeatAssignment.user_id == user.id))


if _release_seats not in members.ON_REMOVE:
    members.ON_REMOVE.append(_release_seats)

"""Lifecycle actions a panel (or the API) calls: each wraps one lifecycle service with what the
rest of the app must hear of it: refunds as credit notes, and the vendor's fulfillment request.
None commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.accounts.activity import record_activity
from app.extensions import db
from app.plans.changes import cancel_scheduled_change
from app.plans.invoicing import credit_note
from app.plans.lifecycle import CancelOutcome, cancel, resume
from app.plans.models import ScheduledChange, Subscription
from app.plans.hooks import tell_vendor
from app.plans.queries import change_dropped_by_cancellation


def cancel_subscription(subscription_id: int, now: datetime, *, actor=None) -> CancelOutcome:
    """Cancels (``lifecycle.cancel``). At the period's end by default: nothing else happens
    now (the expiry sends the vendor its ``cancel`` request). Within a window policy it ends
    now: the unused days are credited and the vendor gets a ``cancel`` request at once.
    Recorded in the owner's activity log as done by ``actor`` (a user; None: the system)."""
    outcome = cancel(subscription_id, now)
    subscription = db.session.get(Subscription, subscription_id)
    ends = "at once" if outcome.quote.immediate else f"at the end of the period ({subscription.current_period_end:%d %b %Y})"
    record_activity(subscription.owner_id, "subscription.canceled", f"{subscription.plan.name} cancelled: it ends {ends}",
                    actor=actor, subject=subscription, now=now)
    if outcome.quote.immediate:
        credit_note(subscription, outcome.quote.customer_refund, outcome.quote.reseller_refund,
                    f"Refund: {subscription.plan.name} cancelled on {now:%d %b %Y}, unused days of the period", now)
        tell_vendor(subscription, "cancel", now)
    return outcome


@dataclass(frozen=True)
class ResumeOutcome:
    subscription: Subscription
    dropped_change: ScheduledChange | None  # the decrease the cancellation dropped: it stays dropped


def resume_subscription(subscription_id: int, now: datetime, *, actor=None) -> ResumeOutcome:
    """Withdraws a cancellation (``lifecycle.resume``) and tells the vendor (``resume``). A
    decrease the cancellation dropped is not restored; the outcome names it. Recorded in the
    owner's activity log as done by ``actor``."""
    canceled_at = db.session.get(Subscription, subscription_id).canceled_at
    subscription = resume(subscription_id, now)
    record_activity(subscription.owner_id, "subscription.resumed", f"{subscription.plan.name} resumed: it renews as normal",
                    actor=actor, subject=subscription, now=now)
    tell_vendor(subscription, "resume", now)
    return ResumeOutcome(subscription, change_dropped_by_cancellation(subscription_id, canceled_at))


def withdraw_decrease(subscription_id: int, now: datetime, *, actor=None):
    """Cancels the pending decrease (``changes.cancel_scheduled_change``); recorded in the
    owner's activity log as done by ``actor``."""
    withdrawn = cancel_scheduled_change(subscription_id, now)
    subscription = db.session.get(Subscription, subscription_id)
    record_activity(subscription.owner_id, "subscription.decrease_withdrawn",
                    f"{subscription.plan.name}: the scheduled decrease was withdrawn", actor=actor, subject=subscription, now=now)
    return withdrawn

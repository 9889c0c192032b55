"""Lifecycle services: activation, cancel, resume, the end of a period (renewal or expiry)
and dunning. Each takes ``now``, locks the subscription row, moves states only through
``transition()`` and returns what happened; none commits (the caller does, one subscription
per transaction in jobs).

Quantity changes are in ``app.plans.changes``; the pure rules in ``change_quote``,
``renewal``, ``dunning``, ``proration`` and ``usage``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.plans import errors
from app.plans.announce import announce
from app.plans.change_quote import CancelQuote, quote_cancel
from app.plans.changes import change_context
from app.plans.dunning import DunningStep, next_dunning_step
from app.plans.models import (
    BillingKind,
    BillingPeriod,
    BillingPeriodStatus,
    QuantityRecord,
    ScheduledChange,
    ScheduledChangeStatus,
    Subscription,
)
from app.plans.periods import add_months, anniversary
from app.plans.queries import due_expiries, peak_quantity
from app.plans.renewal import (
    RenewalAction,
    RenewalPlan,
    closing_period,
    is_postpaid,
    needs_new_term_prices,
    plan_renewal,
)
from app.plans.states import SubscriptionStatus, transition
from app.plans.store import drop_pending_change, lock_subscription, pending_change, set_quantities
from app.plans.term_prices import TermPrices, load_term_prices

S = SubscriptionStatus


def activate(subscription_id: int, now: datetime, term_prices: TermPrices | None = None) -> Subscription:
    """Provisioning completed: the subscription becomes active and its first period opens at
    ``now`` (a free first month first, with postponed billing), its term's prices locked
    (``term_prices``, else today's) and its quantities recorded."""
    subscription = lock_subscription(subscription_id)
    transition(subscription, S.ACTIVE)
    term = subscription.plan_term
    subscription.activated_at = subscription.period_anchor = subscription.current_period_start = now
    if subscription.postponed_billing:
        subscription.trial_ends_at = subscription.current_period_end = add_months(now, 1)
        subscription.term_end = anniversary(now, 1 + term.period_months)
    else:
        subscription.current_period_end = anniversary(now, term.billing_frequency_months)
        subscription.term_end = anniversary(now, term.period_months)
    subscription.locked_prices = (term_prices or load_term_prices(subscription, at=now)).to_json()
    for row in subscription.resources:
        db.session.add(QuantityRecord(subscription_id=subscription.id, resource_id=row.resource_id,
                                      quantity=row.quantity, recorded_at=now))
    db.session.flush()
    announce("subscription.activated", subscription, now)
    return subscription


@dataclass(frozen=True)
class CancelOutcome:
    quote: CancelQuote  # immediate or at the period's end, and the refund
    dropped_change: ScheduledChange | None


def cancel(subscription_id: int, now: datetime) -> CancelOutcome:
    """Cancels: by default the subscription stays active until its period ends (status
    ``canceled``, resumable until then); within a window policy's days it ends at once
    (``expired``) with the refund in the outcome. Drops the pending decrease."""
    subscription = lock_subscription(subscription_id)
    if subscription.current_period_end is None:
        raise errors.NotCancellable(f"A {subscription.status} subscription cannot be cancelled.")
    quote = quote_cancel(change_context(subscription, now), now)
    dropped = drop_pending_change(subscription.id, now, "cancel")
    subscription.canceled_at = now
    if quote.immediate:
        transition(subscription, S.CANCELED)
        transition(subscription, S.EXPIRED)
        subscription.expired_at = now
    else:
        subscription.cancel_at_period_end = True
        if subscription.status == S.ACTIVE.value:
            transition(subscription, S.CANCELED)  # a suspended one keeps its status until paid
    db.session.flush()
    announce("subscription.canceled", subscription, now)
    return CancelOutcome(quote, dropped)


def withdraw_unstarted(subscription_id: int, now: datetime) -> bool:
    """A subscription whose order was cancelled before it was paid: still ``pending`` (never
    provisioned), it ends at once as ``expired`` and leaves the overviews and seat counts.
    False, and nothing changed, when it is no longer pending."""
    subscription = lock_subscription(subscription_id)
    if subscription.status != S.PENDING.value:
        return False
    transition(subscription, S.EXPIRED)
    subscription.canceled_at = subscription.expired_at = now
    db.session.flush()
    return True


def resume(subscription_id: int, now: datetime) -> Subscription:
    """Withdraws a cancellation before the period ends: the subscription renews as normal."""
    subscription = lock_subscription(subscription_id)
    if not subscription.cancel_at_period_end or subscription.status not in (S.CANCELED.value, S.SUSPENDED.value):
        raise errors.NotResumable("Only a cancelled subscription that has not ended can be resumed.")
    if now >= subscription.current_period_end:
        raise errors.NotResumable("This subscription's last period has ended: it can no longer be resumed.")
    subscription.cancel_at_period_end = False
    subscription.canceled_at = None
    if subscription.status == S.CANCELED.value:
        transition(subscription, S.ACTIVE)
    db.session.flush()
    announce("subscription.resumed", subscription, now)
    return subscription


@dataclass(frozen=True)
class PeriodClosed:
    plan: RenewalPlan
    billing_period: BillingPeriod | None  # to invoice (status ``to_invoice``), or None
    applied_change: ScheduledChange | None
    changed_quantities: dict  # resource id -> quantity set by the applied change

    @property
    def expired(self) -> bool:
        return self.plan.action is RenewalAction.EXPIRE


def close_period(subscription_id: int, now: datetime, new_term_prices: TermPrices | None = None) -> PeriodClosed | None:
    """Ends the subscription's current period if it is due at ``now``: renews (applies the
    scheduled decrease, opens the next period, locks a new term's prices) or expires, and
    records what to bill as a ``BillingPeriod`` (idempotent: unique per subscription and
    period start). None when nothing was due or another run did it; a suspended subscription
    waits (``plan.action`` is ``wait``, nothing changed)."""
    subscription = lock_subscription(subscription_id)
    end = subscription.current_period_end
    if end is None or end > now or subscription.status not in (S.ACTIVE.value, S.CANCELED.value, S.SUSPENDED.value):
        return None
    scheduled = pending_change(subscription.id)
    closing = closing_period(subscription)
    peaks = None
    if is_postpaid(subscription):
        peaks = {row.resource_id: peak_quantity(subscription, row.resource_id, closing) for row in subscription.resources}
    if subscription.status == S.ACTIVE.value and new_term_prices is None and needs_new_term_prices(subscription):
        new_term_prices = load_term_prices(subscription, at=end)  # the new term's prices from its start
    plan = plan_renewal(subscription, now, scheduled_change=scheduled, peaks=peaks, new_term_prices=new_term_prices)
    if plan.action is RenewalAction.WAIT:
        return PeriodClosed(plan, None, None, {})
    billing_period = _record_billing_period(subscription, plan, now)
    if plan.billed_period is not None and billing_period is None:
        return None  # another run recorded this period first
    if plan.action is RenewalAction.EXPIRE:
        transition(subscription, S.EXPIRED)
        subscription.expired_at = plan.closing.end
        db.session.flush()
        return PeriodClosed(plan, billing_period, None, {})
    changed = set_quantities(subscription, plan.quantities_after, plan.closing.end)
    if scheduled is not None and plan.applies_change_id == scheduled.id:
        scheduled.status = ScheduledChangeStatus.APPLIED.value
        scheduled.closed_at = plan.closing.end
    subscription.current_period_start, subscription.current_period_end = plan.next_period.start, plan.next_period.end
    subscription.term_end = plan.term_end_after
    if plan.prices_after is not None:
        subscription.locked_prices = plan.prices_after.to_json()
    db.session.flush()
    announce("subscription.renewed", subscription, now)
    return PeriodClosed(plan, billing_period, scheduled if plan.applies_change_id else None, changed)


def _record_billing_period(subscription: Subscription, plan: RenewalPlan, now: datetime) -> BillingPeriod | None:
    if plan.billed_period is None:
        return None
    row = BillingPeriod(
        subscription_id=subscription.id,
        period_start=plan.billed_period.start,
        period_end=plan.billed_period.end,
        kind=plan.billing.value,
        status=(BillingPeriodStatus.NOTHING_DUE if plan.billing is BillingKind.FREE else BillingPeriodStatus.TO_INVOICE).value,
        currency=subscription.currency,
        customer_amount=plan.customer_total,
        reseller_amount=plan.reseller_total,
        lines=[line.to_json() for line in plan.lines],
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def expire_due(now: datetime) -> list[int]:
    """Expires every cancelled subscription whose last period ended by ``now`` (a postpaid one
    gets its final period recorded to invoice first). Returns their ids. Safe to run again."""
    expired = []
    for subscription_id in due_expiries(now):
        closed = close_period(subscription_id, now)
        if closed is not None and closed.expired:
            expired.append(subscription_id)
    return expired


def record_charge_failure(subscription_id: int, now: datetime) -> DunningStep:
    """A renewal charge failed: schedules the next retry (1, 3, 5 days after the first
    failure) or, when every retry failed, suspends the subscription (the step says which)."""
    subscription = lock_subscription(subscription_id)
    if not subscription.charge_attempts:
        subscription.charge_failed_since = now
    subscription.charge_attempts += 1
    step = next_dunning_step(subscription.charge_attempts, subscription.charge_failed_since, now)
    if step.suspends:
        subscription.next_charge_attempt_at = None
        if subscription.status != S.SUSPENDED.value:
            transition(subscription, S.SUSPENDED)
            subscription.suspended_at = now
            db.session.flush()
            announce("subscription.suspended", subscription, now)
    else:
        subscription.next_charge_attempt_at = step.at
    db.session.flush()
    return step


def record_charge_success(subscription_id: int, now: datetime) -> bool:
    """The outstanding charge was paid: dunning ends; a suspended subscription returns to
    active (or to cancelled, if a cancellation is pending). True when it was resumed."""
    subscription = lock_subscription(subscription_id)
    subscription.charge_attempts = 0
    subscription.charge_failed_since = subscription.next_charge_attempt_at = None
    resumed = subscription.status == S.SUSPENDED.value
    if resumed:
        transition(subscription, S.CANCELED if subscription.cancel_at_period_end else S.ACTIVE)
        subscription.suspended_at = None
    db.session.flush()
    if resumed:
        announce("subscription.resumed", subscription, now)
    return resumed

"""Changing a subscription's quantities: the quote's context from the database, confirming a
quote, scheduled decreases.

Flow (part 2 wires invoices and fulfillment requests around it):
1. ``change_context(subscription, now)`` -> ``quote_change(context, requested, now)`` for the
   confirm page (its ``fingerprint`` goes into the form);
2. ``confirm_change(...)`` re-quotes under the row lock and refuses another fingerprint; it
   records the quantities that change now (increases, window decreases) as the subscription's
   committed quantities, drops the pending decrease on an increase and stores the decreases
   that wait. Committing the quantity at once, under the lock, is what makes two simultaneous
   changes serialise: the second is quoted (and charged) from the first's result.
3. the caller invoices ``quote.customer_total``/``reseller_total`` and sends provisioning a
   change request for ``quantities_now``; if provisioning finally fails, it puts the old
   quantities back with ``apply_quantities`` (and credits the charge).
No function here commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from app.catalog.models import PlanKind, ResourceKind
from app.extensions import db
from app.plans import errors
from app.plans.announce import announce
from app.plans.change_quote import ChangeContext, ChangeQuote, ResourceTerms, quote_change, validate_quantities
from app.plans.models import ScheduledChange, ScheduledChangeStatus, Subscription
from app.plans.periods import Period
from app.plans.policy import ChangePolicy
from app.plans.queries import quantity_records
from app.plans.seats import assigned_count
from app.plans.states import SubscriptionStatus
from app.plans.store import drop_pending_change, lock_subscription, pending_change, set_quantities
from app.plans.term_prices import TermPrices, term_prices_now
from app.plans.usage import lowest_since


def change_context(subscription: Subscription, now: datetime, *, prices: TermPrices | None = None) -> ChangeContext:
    """The quote's inputs for ``subscription`` at ``now``: its plan's limits and policy, its
    current period and quantities, the prices locked for its term (today's prices for
    resources the lock lacks), what a window policy may refund, and its pending decrease."""
    if subscription.current_period_start is None or subscription.current_period_end is None:
        raise errors.SubscriptionNotChangeable(f"A {subscription.status} subscription cannot be changed yet.")
    plan = subscription.plan
    policy = ChangePolicy.of_plan(plan)
    prices = term_prices_now(subscription, prices)
    resources = {
        pr.resource_id: ResourceTerms(
            resource_id=pr.resource_id, code=pr.resource.code, name=pr.resource.name, included=pr.included,
            minimum=pr.minimum, maximum=pr.maximum, step=pr.step, customer_changeable=pr.customer_changeable,
            one_time=pr.resource.kind == ResourceKind.ONE_TIME.value, measures_seats=pr.resource.measures_seats,
        )
        for pr in plan.resources
    }
    current = {row.resource_id: row.quantity for row in subscription.resources}
    refundable = {}
    if policy.decrease_window:
        since = now - timedelta(days=policy.decrease_window_days)
        for resource_id in resources:
            lowest = lowest_since(quantity_records(subscription.id, resource_id, now + timedelta(microseconds=1)), since)
            refundable[resource_id] = 0 if lowest is None else max(0, current.get(resource_id, 0) - lowest)
    scheduled = pending_change(subscription.id)
    return ChangeContext(
        subscription_id=subscription.id,
        status=subscription.status,
        single_user=plan.kind == PlanKind.SINGLE_USER.value,
        policy=policy,
        period=Period(subscription.current_period_start, subscription.current_period_end),
        currency=subscription.currency,
        resources=resources,
        current=current,
        prices={resource_id: prices.resources[resource_id] for resource_id in resources if resource_id in prices.resources},
        plan_prices=prices.plan,
        free_until=subscription.trial_ends_at,
        refundable=refundable,
        scheduled=scheduled.targets if scheduled else {},
        assigned_seats=assigned_count(subscription.id),
    )


@dataclass(frozen=True)
class ConfirmedChange:
    quote: ChangeQuote
    scheduled_change: ScheduledChange | None  # the pending decrease after this change
    dropped_change: ScheduledChange | None  # the one this change dropped or replaced

    @property
    def quantities_now(self) -> dict[int, int]:
        """The quantities that changed now: what the change request asks the vendor for."""
        return self.quote.quantities_now


def confirm_change(
    subscription_id: int,
    requested: Mapping[int, int],
    fingerprint: str,
    now: datetime,
    *,
    by_customer: bool = False,
    created_by_id: int | None = None,
) -> ConfirmedChange:
    """Confirms the change the buyer saw: re-quotes under the row lock and raises
    ``QuoteChanged`` unless the fingerprint is the confirmed one (nothing is changed then).
    Quantities that change now are recorded at once; an increase drops the pending decrease;
    decreases that wait are stored as one scheduled change."""
    subscription = lock_subscription(subscription_id)
    context = change_context(subscription, now)
    quote = quote_change(context, requested, now, by_customer=by_customer)
    if quote.fingerprint != fingerprint:
        raise errors.QuoteChanged("The price of this change has changed since you saw it: please review it again.")
    dropped = None
    if dict(quote.scheduled_after) != dict(context.scheduled):
        dropped = drop_pending_change(subscription.id, now, "increase" if quote.has_increase else "replaced")
    set_quantities(subscription, quote.quantities_now, now)
    scheduled = pending_change(subscription.id)
    if quote.scheduled_after and scheduled is None:
        scheduled = _store_scheduled(subscription, quote.scheduled_after, now, created_by_id)
    announce("subscription.changed", subscription, now)
    return ConfirmedChange(quote, scheduled, dropped)


def schedule_decrease(
    subscription_id: int, targets: Mapping[int, int], now: datetime, *, by_customer: bool = False,
    created_by_id: int | None = None,
) -> ScheduledChange:
    """Schedules lower quantities for the start of the next period (no refund), merged with
    the pending decrease of other resources. Raises a ``LifecycleRefused`` subclass when the
    subscription is not active or a target breaks the plan's rules or is not a decrease."""
    subscription = lock_subscription(subscription_id)
    context = change_context(subscription, now)
    if subscription.status != SubscriptionStatus.ACTIVE.value:
        raise errors.SubscriptionNotChangeable("Only an active subscription can be reduced.")
    validate_quantities(context, targets, by_customer=by_customer)
    for resource_id, quantity in targets.items():
        if quantity >= context.current.get(resource_id, 0):
            raise errors.NothingToChange(
                f"{context.resources[resource_id].name}: a decrease goes below the current quantity.",
                context.resources[resource_id].code,
            )
    merged = {**context.scheduled, **targets}
    drop_pending_change(subscription.id, now, "replaced")
    scheduled = _store_scheduled(subscription, merged, now, created_by_id)
    announce("subscription.changed", subscription, now)
    return scheduled


def cancel_scheduled_change(subscription_id: int, now: datetime) -> ScheduledChange:
    """Withdraws the pending decrease; raises ``NoScheduledChange`` when there is none."""
    subscription = lock_subscription(subscription_id)
    dropped = drop_pending_change(subscription.id, now, "withdrawn")
    if dropped is None:
        raise errors.NoScheduledChange("This subscription has no scheduled change to cancel.")
    announce("subscription.changed", subscription, now)
    return dropped


def apply_quantities(subscription_id: int, quantities: Mapping[int, int], now: datetime) -> dict[int, int]:
    """Sets quantities from ``now`` on under the row lock, without a quote or a charge: for
    provisioning to put the previous quantities back when a change finally failed, and for
    staff corrections. Returns those that changed."""
    subscription = lock_subscription(subscription_id)
    changed = set_quantities(subscription, quantities, now)
    if changed:
        announce("subscription.changed", subscription, now)
    return changed


def _store_scheduled(subscription: Subscription, targets: Mapping[int, int], now: datetime,
                     created_by_id: int | None) -> ScheduledChange:
    change = ScheduledChange(
        subscription_id=subscription.id,
        quantities={str(resource_id): quantity for resource_id, quantity in sorted(targets.items())},
        effective_at=subscription.current_period_end,
        status=ScheduledChangeStatus.SCHEDULED.value,
        created_by_id=created_by_id,
        created_at=now,
    )
    db.session.add(change)
    db.session.flush()
    return change

"""A subscription's margin (customer price - reseller cost) from the prices locked for its term
(``app.plans.term_prices``), per billing period and normalised per month.

``period_margin`` is the one rule (a plain function of a ``TermPrices`` and quantities);
``monthly`` turns it into a monthly amount. Each subscription keeps both in its own columns
(``Subscription.period_margin``, ``monthly_margin``) so that a table shows, sorts and exports
them without reading the locked prices' JSON per row: ``kept_margins`` computes them from the
row, and a session listener (``keep_margins``) writes them at every flush that changes what they
depend on (the locked prices, the plan term, a quantity, or a plan's included quantity), so that
every writer of ``locked_prices`` or of quantities keeps them, whoever it is.
"""
from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Iterable, Mapping

from sqlalchemy import Connection, bindparam, inspect, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.catalog.models import PlanResource, PlanTerm, Resource, ResourceKind
from app.money import round_half_up
from app.plans.models import Subscription, SubscriptionResource
from app.plans.proration import billable_units
from app.plans.term_prices import TermPrices


def monthly(period_margin: int | None, billing_frequency_months: int) -> int | None:
    """A per-billing-period amount as a monthly one, rounded half up to the minor unit (an
    annual billing of 1,200.00 is 100.00 a month). None (no locked prices yet) stays None."""
    if period_margin is None:
        return None
    if billing_frequency_months <= 0:
        raise ValueError("a billing frequency is a positive number of months")
    return round_half_up(Fraction(period_margin, billing_frequency_months))


def period_margin(prices: TermPrices, quantities: Mapping[int, int], included: Mapping[int, int],
                  recurring: Iterable[int]) -> int:
    """Margin of one billing period at these quantities: the plan term's, plus each recurring
    resource's units above what the plan includes (as a renewal bills them)."""
    margin = prices.plan.customer - prices.plan.cost
    for resource_id in recurring:
        units = billable_units(quantities.get(resource_id, 0), included.get(resource_id, 0))
        if units:
            tiers = prices.resource(resource_id)
            margin += units * (tiers.customer - tiers.cost)
    return margin


def kept_margins(locked_prices: dict | None, quantities: Mapping[int, int], included: Mapping[int, int],
                 recurring: Iterable[int], billing_frequency_months: int) -> tuple[int | None, int | None]:
    """What a subscription keeps in ``(period_margin, monthly_margin)``: both None while nothing
    is locked (not provisioned yet)."""
    if not locked_prices:
        return None, None
    margin = period_margin(TermPrices.from_json(locked_prices), quantities, included, recurring)
    return margin, monthly(margin, billing_frequency_months)


def plan_limits(session: Session, plan_id: int) -> tuple[dict[int, int], frozenset[int]]:
    """A plan's included quantities by resource, and which of its resources are recurring (read
    as objects: an included quantity changed in the session but not yet flushed counts)."""
    rows = session.scalars(select(PlanResource).where(PlanResource.plan_id == plan_id)
                           .options(joinedload(PlanResource.resource))).all()
    return ({row.resource_id: row.included for row in rows},
            frozenset(row.resource_id for row in rows if row.resource.kind == ResourceKind.RECURRING.value))


def refresh_margins(session: Session, subscription: Subscription, limits: dict | None = None) -> None:
    """Sets the subscription's kept margins from its locked prices, quantities and plan."""
    if not subscription.locked_prices:  # not provisioned yet (a new order's): nothing to read
        if (subscription.period_margin, subscription.monthly_margin) != (None, None):
            subscription.period_margin = subscription.monthly_margin = None
        return
    limits = {} if limits is None else limits
    plan_id = _id_of(subscription, "plan")
    if plan_id not in limits:
        limits[plan_id] = plan_limits(session, plan_id)
    included, recurring = limits[plan_id]
    term = subscription.plan_term or session.get(PlanTerm, subscription.plan_term_id)
    quantities = {_id_of(row, "resource"): row.quantity for row in subscription.resources if row not in session.deleted}
    margins = kept_margins(subscription.locked_prices, quantities, included, recurring, term.billing_frequency_months)
    if (subscription.period_margin, subscription.monthly_margin) != margins:
        subscription.period_margin, subscription.monthly_margin = margins


def _id_of(row, relationship: str) -> int | None:
    """``row.<relationship>_id``, also before a flush has set it from the related object."""
    related = getattr(row, f"{relationship}_id")
    if related is None and getattr(row, relationship) is not None:
        related = getattr(row, relationship).id
    return related


def _changed(row, *names: str) -> bool:
    state = inspect(row)
    return state.pending or any(state.attrs[name].history.has_changes() for name in names)


def keep_margins(session: Session, flush_context, instances) -> None:
    """Before each flush: the kept margins of every subscription whose locked prices, plan term
    or quantities change, and of every subscription of a plan whose included quantity changes."""
    subscriptions: dict[int, Subscription] = {}
    plans: set[int] = set()
    with session.no_autoflush:
        for row in (*session.new, *session.dirty, *session.deleted):
            subscription = None
            if isinstance(row, Subscription) and _changed(row, "locked_prices", "plan_id", "plan_term_id"):
                subscription = row
            elif isinstance(row, SubscriptionResource) and (row in session.deleted or _changed(row, "quantity", "resource_id")):
                subscription = row.subscription if row.subscription is not None else session.get(Subscription, row.subscription_id)
            elif isinstance(row, PlanResource) and row.plan_id is not None and _changed(row, "included"):
                plans.add(row.plan_id)
            if subscription is not None and subscription not in session.deleted:
                subscriptions[id(subscription)] = subscription
        for plan_id in plans:
            subscriptions.update((id(s), s) for s in session.scalars(
                select(Subscription).where(Subscription.plan_id == plan_id, Subscription.locked_prices.is_not(None))
                .options(selectinload(Subscription.resources))))
        limits: dict = {}
        for subscription in subscriptions.values():
            if _id_of(subscription, "plan") is not None and _id_of(subscription, "plan_term") is not None:
                refresh_margins(session, subscription, limits)


def keep_every_subscriptions_margins(connection: Connection) -> int:
    """Sets the kept margins of every subscription with locked prices in one pass of a few
    reads and one batched update, on a bare connection (a migration's back-fill, bulk seeding
    that bypasses the session). Returns how many were set."""
    limits = defaultdict(lambda: ({}, set()))
    for plan_id, resource_id, included, kind in connection.execute(
            select(PlanResource.plan_id, PlanResource.resource_id, PlanResource.included, Resource.kind)
            .join(Resource, Resource.id == PlanResource.resource_id)):
        limits[plan_id][0][resource_id] = included
        if kind == ResourceKind.RECURRING.value:
            limits[plan_id][1].add(resource_id)
    quantities = defaultdict(dict)
    for subscription_id, resource_id, quantity in connection.execute(
            select(SubscriptionResource.subscription_id, SubscriptionResource.resource_id, SubscriptionResource.quantity)):
        quantities[subscription_id][resource_id] = quantity
    table = Subscription.__table__
    rows = connection.execute(select(table.c.id, table.c.plan_id, table.c.locked_prices, PlanTerm.billing_frequency_months)
                              .join(PlanTerm, PlanTerm.id == table.c.plan_term_id)
                              .where(table.c.locked_prices.is_not(None)))
    updates = []
    for subscription_id, plan_id, locked_prices, months in rows:
        included, recurring = limits[plan_id]
        margin, per_month = kept_margins(locked_prices, quantities[subscription_id], included, recurring, months)
        updates.append({"key": subscription_id, "period": margin, "monthly": per_month})
    if updates:
        connection.execute(update(table).where(table.c.id == bindparam("key"))
                           .values(period_margin=bindparam("period"), monthly_margin=bindparam("monthly")), updates)
    return len(updates)

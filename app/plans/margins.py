"""A subscription's margin (customer price - reseller cost) from the prices locked for its term
(``app.plans.term_prices``), per billing period and normalised per month.

The per-period margin is one SQL expression (``period_margin_sql``) so that a table can show it,
sort by it and export it in the same query; ``period_margin`` computes the same from a
``TermPrices`` in Python, and ``monthly`` turns either into a monthly amount.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Mapping

from sqlalchemy import Integer, Select, String, and_, cast, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.models import PlanResource, Resource, ResourceKind
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


def _locked(dialect: str, *path, subscription=Subscription) -> ColumnElement:
    """An integer of ``subscription.locked_prices`` at ``path`` (strings, or SQL expressions for
    a key computed per row). NULL when nothing is locked."""
    document = subscription.locked_prices
    if dialect == "postgresql":
        keys = [part if isinstance(part, str) else cast(part, String) for part in path]
        return cast(func.json_extract_path_text(document, *keys), Integer)
    json_path = literal("$")
    for part in path:
        json_path = json_path + (f'."{part}"' if isinstance(part, str) else literal('."') + cast(part, String) + '"')
    return cast(func.json_extract(document, json_path), Integer)


def period_margin_sql(dialect: str) -> ColumnElement:
    """``period_margin`` of the outer query's ``Subscription`` at its current quantities, as a
    correlated SQL expression; NULL for a subscription without locked prices."""
    resource_id = SubscriptionResource.resource_id
    units = SubscriptionResource.quantity - PlanResource.included
    per_unit = _locked(dialect, "resources", resource_id, "customer") - _locked(dialect, "resources", resource_id, "cost")
    resources = (
        select(func.coalesce(func.sum(units * per_unit), 0))
        .select_from(SubscriptionResource)
        .join(PlanResource, and_(PlanResource.resource_id == resource_id, PlanResource.plan_id == Subscription.plan_id))
        .join(Resource, Resource.id == resource_id)
        .where(SubscriptionResource.subscription_id == Subscription.id, Resource.kind == ResourceKind.RECURRING.value,
               SubscriptionResource.quantity > PlanResource.included)
        .correlate(Subscription)
        .scalar_subquery()
    )
    return plan_margin_sql(dialect) + resources


def plan_margin_sql(dialect: str) -> ColumnElement:
    """The plan term's own margin per billing period of the outer query's ``Subscription``."""
    return _locked(dialect, "plan", "customer") - _locked(dialect, "plan", "cost")


def resource_margins(dialect: str, subscription_ids: Select):
    """A derived table (``subscription_id``, ``margin``): the recurring resources' margin per
    billing period of each of ``subscription_ids`` that has billable units, in one grouped
    pass (to sort thousands of rows by margin without one sub-query per row)."""
    owner = aliased(Subscription)
    resource_id = SubscriptionResource.resource_id
    units = SubscriptionResource.quantity - PlanResource.included
    per_unit = (_locked(dialect, "resources", resource_id, "customer", subscription=owner)
                - _locked(dialect, "resources", resource_id, "cost", subscription=owner))
    return (
        select(SubscriptionResource.subscription_id.label("subscription_id"), func.sum(units * per_unit).label("margin"))
        .join(owner, owner.id == SubscriptionResource.subscription_id)
        .join(PlanResource, and_(PlanResource.resource_id == resource_id, PlanResource.plan_id == owner.plan_id))
        .join(Resource, Resource.id == resource_id)
        .where(owner.id.in_(subscription_ids), Resource.kind == ResourceKind.RECURRING.value,
               SubscriptionResource.quantity > PlanResource.included)
        .group_by(SubscriptionResource.subscription_id)
        .subquery("resource_margins")
    )

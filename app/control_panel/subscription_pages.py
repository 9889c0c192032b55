"""What the subscription pages of the panels show, read from the lifecycle services; no rule is
decided here. Which subscriptions a viewer sees is the tenant scope's business
(``app.accounts.access.TenantScope``): these helpers take its criteria."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import joinedload, selectinload

from app.catalog.models import Plan, PlanKind
from app.control_panel.subscription_history import (
    PeriodAmounts,
    ProvisioningHistory,
    invoices_of,
    period_amounts,
    provisioning_history,
)
from app.extensions import db
from app.plans import errors
from app.plans.change_quote import quote_cancel
from app.plans.changes import change_context
from app.plans.models import Subscription, SubscriptionResource
from app.plans.policy import ChangePolicy, describe_policy
from app.plans.queries import display_status, live_subscriptions, scheduled_change_of, scheduled_changes_for
from app.plans.states import SubscriptionStatus

S = SubscriptionStatus


@dataclass(frozen=True)
class OverviewRow:
    subscription: Subscription
    status: str  # as shown: "pending" when a change is scheduled
    seats: int


def seats_of(subscription: Subscription) -> int:
    return sum(row.quantity for row in subscription.resources if row.resource.measures_seats)


PER_PAGE = 25


def overview_page(scope: tuple, page: int):
    """One page of the live subscriptions in scope, newest first (``db.paginate``: its
    ``items`` are ``OverviewRow``s), in four queries whatever the page: the count, the rows
    with owner, plan and term, their resources, and their scheduled changes."""
    pagination = db.paginate(
        live_subscriptions(*scope).options(
            joinedload(Subscription.owner), joinedload(Subscription.plan).joinedload(Plan.product),
            joinedload(Subscription.plan_term), selectinload(Subscription.resources).joinedload(SubscriptionResource.resource),
        ).order_by(Subscription.id.desc()), page=page, per_page=PER_PAGE, error_out=False)
    scheduled = scheduled_changes_for(s.id for s in pagination.items)
    pagination.items = [OverviewRow(s, display_status(s, s.id in scheduled), seats_of(s)) for s in pagination.items]
    return pagination


@dataclass(frozen=True)
class ResourceRow:
    resource_id: int
    code: str
    name: str
    unit: str
    current: int
    included: int
    minimum: int
    maximum: int
    step: int
    editable: bool  # may this viewer change it here
    why_fixed: str = ""


def resource_rows(subscription: Subscription, by_customer: bool) -> list[ResourceRow]:
    single_user = subscription.plan.kind == PlanKind.SINGLE_USER.value
    rows = []
    for plan_resource in subscription.plan.resources:
        resource = plan_resource.resource
        why = ""
        if single_user and resource.measures_seats:
            why = "A single-user subscription keeps exactly one seat."
        elif by_customer and not plan_resource.customer_changeable:
            why = "Only your reseller can change this."
        rows.append(ResourceRow(resource.id, resource.code, resource.name, resource.unit,
                                subscription.quantity_of(resource.id), plan_resource.included, plan_resource.minimum,
                                plan_resource.maximum, plan_resource.step, not why, why))
    return rows


class QuantityInputError(errors.NotAWholeNumber):
    pass


def requested_quantities(rows: list[ResourceRow], form) -> dict[int, int]:
    """The new quantity of each resource from the posted ``qty-<code>`` fields; a fixed or
    absent one keeps its current quantity. Raises ``QuantityInputError`` for text that is not a number."""
    requested = {}
    for row in rows:
        posted = form.get(f"qty-{row.code}") if row.editable else None
        raw = str(row.current) if posted is None else posted.strip()  # not posted: unchanged
        if not raw.isdigit() or len(raw) > 7:
            raise QuantityInputError(f"{row.name}: enter a whole number.", row.code)
        requested[row.resource_id] = int(raw)
    return requested


@dataclass(frozen=True)
class DetailPage:
    subscription: Subscription
    status: str
    scheduled: object | None  # the pending decrease
    policy_text: tuple[str, ...]
    cancel_quote: object | None  # what cancelling now does; None when it cannot be cancelled
    can_change: bool
    can_resume: bool
    resources: list[ResourceRow]
    amounts: PeriodAmounts | None  # at the customer's price, per billing period
    invoices: list  # the subscription's invoices the viewer may open
    history: ProvisioningHistory


def detail_page(subscription: Subscription, organisation, now: datetime) -> DetailPage:
    scheduled = scheduled_change_of(subscription.id)
    cancel = None
    if subscription.current_period_end is not None and not subscription.cancel_at_period_end:
        try:
            cancel = quote_cancel(change_context(subscription, now), now)
        except errors.LifecycleRefused:
            cancel = None
    resumable = (subscription.cancel_at_period_end and subscription.status in (S.CANCELED.value, S.SUSPENDED.value)
                 and subscription.current_period_end is not None and now < subscription.current_period_end)
    return DetailPage(
        subscription=subscription, status=display_status(subscription, scheduled is not None), scheduled=scheduled,
        policy_text=describe_policy(ChangePolicy.of_plan(subscription.plan)), cancel_quote=cancel,
        can_change=subscription.status == S.ACTIVE.value, can_resume=resumable,
        resources=resource_rows(subscription, organisation.is_customer),
        amounts=period_amounts(subscription), invoices=invoices_of(subscription, organisation),
        history=provisioning_history(subscription),
    )


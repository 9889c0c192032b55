"""What the subscription pages of the panels show, read from the lifecycle services; no rule is
decided here. Which subscriptions a viewer sees is the tenant scope's business
(``app.accounts.access.TenantScope``): these helpers take its criteria."""
from __future__ import annotations

from dataclasses import dataclass, replace
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
from app.orders.queries import one_time_units_bought, subscriptions_awaiting_payment
from app.plans import errors
from app.plans.change_impact import ChangeImpact, change_impact
from app.plans.change_quote import quote_cancel
from app.plans.changes import change_context
from app.plans.invoicing import pays_cost
from app.plans.models import Subscription, SubscriptionResource
from app.plans.policy import ChangePolicy, describe_policy
from app.plans.queries import (
    DisplayStatus,
    display_status,
    live_subscriptions,
    scheduled_change_of,
    scheduled_changes_for,
)
from app.plans.states import SubscriptionStatus

S = SubscriptionStatus


@dataclass(frozen=True)
class OverviewRow:
    subscription: Subscription
    status: DisplayStatus
    seats: int


def seats_of(subscription: Subscription) -> int:
    return sum(row.quantity for row in subscription.resources if row.resource.measures_seats)


PER_PAGE = 25


def overview_page(scope: tuple, page: int):
    """One page of the live subscriptions in scope, newest first (``db.paginate``: its
    ``items`` are ``OverviewRow``s), in a fixed number of queries whatever the page: the count,
    the rows with owner, plan and term, their resources, their scheduled changes, and which of
    the pending ones await payment."""
    pagination = db.paginate(
        live_subscriptions(*scope).options(
            joinedload(Subscription.owner), joinedload(Subscription.plan).joinedload(Plan.product),
            joinedload(Subscription.plan_term), selectinload(Subscription.resources).joinedload(SubscriptionResource.resource),
        ).order_by(Subscription.id.desc()), page=page, per_page=PER_PAGE, error_out=False)
    subscriptions = pagination.items
    scheduled = scheduled_changes_for(s.id for s in subscriptions)
    unpaid = subscriptions_awaiting_payment(s.id for s in subscriptions if s.status == S.PENDING.value)
    pagination.items = [OverviewRow(s, display_status(s, scheduled.get(s.id), s.id in unpaid), seats_of(s))
                        for s in subscriptions]
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
    shown: str = ""  # in place of the quantity: a one-time service is delivered once, not held


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
    status: DisplayStatus
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
        resources=_with_one_time_services(subscription, resource_rows(subscription, organisation.is_customer)),
        subscription=subscription, scheduled=scheduled,
        status=display_status(subscription, scheduled, subscription.id in subscriptions_awaiting_payment([subscription.id])),
        policy_text=describe_policy(ChangePolicy.of_plan(subscription.plan)), cancel_quote=cancel,
        can_change=subscription.status == S.ACTIVE.value, can_resume=resumable,
        amounts=period_amounts(subscription), invoices=invoices_of(subscription, organisation),
        history=provisioning_history(subscription),
    )


def _with_one_time_services(subscription: Subscription, rows: list[ResourceRow]) -> list[ResourceRow]:
    """A one-time service (QuickStart) bought with the subscription reads "Delivered" (or
    "Ordered" until the subscription is provisioned), not a quantity of 0."""
    one_time = {pr.resource.code for pr in subscription.plan.resources if pr.resource.is_one_time}
    if not one_time:
        return rows
    bought = one_time_units_bought(subscription.id)
    provisioned = subscription.status not in (S.PENDING.value, S.FAILED.value)
    shown = []
    for row in rows:
        if row.code in one_time:
            units = bought.get(row.code, 0)
            label = ("Delivered" if provisioned else "Ordered") if units else "Not bought"
            row = replace(row, shown=f"{label} ({units})" if units > 1 else label)
        shown.append(row)
    return shown



BOTH_TIERS, CUSTOMER_PRICE, RESELLER_COST = "both", "customer", "cost"


def price_tiers_for(viewer, subscription: Subscription) -> str:
    """Which prices a change's preview shows ``viewer``: the customer's price and the
    reseller's cost side by side for the customer's own reseller (and distributor staff); to
    anyone else the one they pay: its cost to a reseller changing its own subscription, the
    customer's price to a customer."""
    if viewer.is_distributor or (viewer.acts_as_reseller and subscription.owner.parent_id == viewer.id):
        return BOTH_TIERS
    if viewer.id == subscription.payer_id and pays_cost(subscription.payer):
        return RESELLER_COST
    return CUSTOMER_PRICE


def preview_impact(preview) -> ChangeImpact | None:
    """The cost impact of a change preview at both tiers (the credit from the current
    subscription, the per-period amounts before and after), None without a preview."""
    if preview is None or getattr(preview, "context", None) is None:
        return None
    return change_impact(preview.context, preview.change)

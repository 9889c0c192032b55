"""The reseller panel's home (seed 001 "Customer overview"): the summary cards, the table of its
customers' live subscriptions (sorted, filtered and paged in the query, state in the URL), its
CSV export (the same query, streamed) and the chart of the last twelve months.

One statement, ``overview_statement``, selects the table's columns for a reseller and a set of
``OverviewFilters``; the page reads one page of it, the export every row in batches. Each
column the table sorts by is an SQL expression, so sorting never loads more than a page.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from math import ceil
from typing import Iterator

from flask import current_app
from sqlalchemy import Engine, Select, String, and_, case, exists, func, literal, select, union

from app.accounts.models import Organisation, User
from app.catalog.models import Plan, PlanKind, PlanTerm, Resource
from app.control_panel.reseller.chart import cached_series
from app.control_panel.reseller.kept import database_tag, kept
from app.control_panel.reseller.table_state import (  # noqa: F401  (the table's state, re-exported)
    PER_PAGE,
    SEARCH_MAX,
    SORT_CHOICES,
    STATUS_CHOICES,
    OverviewFilters,
    OverviewPage,
)
from app.extensions import db
from app.orders.models import AWAITING_PAYMENT, Order, OrderLine, OrderLineKind
from app.plans.models import (
    ScheduledChange,
    ScheduledChangeStatus,
    SeatAssignment,
    Subscription,
    SubscriptionResource,
)
from app.plans.queries import DisplayStatus, SubscriptionCounts, display_status_of, subscription_counts
from app.plans.revenue import RevenueSeries
from app.plans.states import SubscriptionStatus
from app.plans.version import subscriptions_version
from app.reconciliation.monthly import billed_by_month

S = SubscriptionStatus
@dataclass(frozen=True)
class OverviewRow:
    subscription_id: int
    customer_id: int
    customer: str  # the organisation, or the end user's e-mail for a single-user subscription
    single_user: bool
    plan: str
    billing_cycle: str
    status: DisplayStatus
    seats: int
    period_start: datetime | None
    period_end: datetime | None
    currency: str
    monthly_margin: int | None  # minor units; None before prices are locked (not provisioned)
    can_change: bool
    can_cancel: bool
    can_resume: bool


def customers_of(reseller_id: int) -> Select:
    return select(Organisation.id).where(Organisation.parent_id == reseller_id)


def customer_subscription_criteria(reseller_id: int) -> tuple:
    """The reseller's customers' subscriptions (not its own), expired ones left out."""
    return (Subscription.owner_id.in_(customers_of(reseller_id)), Subscription.status != S.EXPIRED.value)


class _Columns:
    """The SQL expressions of the table's computed columns (correlated to ``Subscription``)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.scheduled_at = (
            select(func.min(ScheduledChange.effective_at))
            .where(ScheduledChange.subscription_id == Subscription.id,
                   ScheduledChange.status == ScheduledChangeStatus.SCHEDULED.value)
            .correlate(Subscription).scalar_subquery()
        )
        self.has_scheduled = exists().where(
            ScheduledChange.subscription_id == Subscription.id,
            ScheduledChange.status == ScheduledChangeStatus.SCHEDULED.value,
        )
        self.seats = (
            select(func.coalesce(func.sum(SubscriptionResource.quantity), 0))
            .join(Resource, Resource.id == SubscriptionResource.resource_id)
            .where(SubscriptionResource.subscription_id == Subscription.id, Resource.measures_seats.is_(True))
            .correlate(Subscription).scalar_subquery()
        )
        assigned_email = (
            select(User.email).join(SeatAssignment, SeatAssignment.user_id == User.id)
            .where(SeatAssignment.subscription_id == Subscription.id)
            .order_by(SeatAssignment.id).limit(1).correlate(Subscription).scalar_subquery()
        )
        first_user_email = (
            select(User.email).where(User.organisation_id == Subscription.owner_id)
            .order_by(User.id).limit(1).correlate(Subscription).scalar_subquery()
        )
        self.customer = case(
            (Plan.kind == PlanKind.SINGLE_USER.value, func.coalesce(assigned_email, first_user_email, Organisation.name)),
            else_=Organisation.name,
        )
        self.awaiting_payment = case((Subscription.status == S.PENDING.value, exists().where(
            OrderLine.subscription_id == Subscription.id, OrderLine.kind == OrderLineKind.PURCHASE.value,
            Order.id == OrderLine.order_id, Order.payment_status.in_(AWAITING_PAYMENT))), else_=False)
        self.status_code = case(
            (and_(Subscription.status == S.ACTIVE.value, self.has_scheduled), literal("change_scheduled", String)),
            else_=Subscription.status,
        )

    def sorted_by(self, statement: Select, sort: str, ids: Select | None) -> tuple[Select, list]:
        """``statement`` with what sorting by ``sort`` needs joined, and the sort keys. Seats are
        a sum per subscription: sorting by them joins one grouped pass over the table's
        subscriptions (``ids``, filtered) rather than a sub-query for each of thousands of rows.
        The monthly margin is kept on each subscription (``app.plans.margins``)."""
        if sort == "seats" and ids is None:  # a few rows: their own sub-queries
            return statement, [self.seats]
        if sort == "seats":
            sums = (select(SubscriptionResource.subscription_id.label("subscription_id"),
                           func.sum(SubscriptionResource.quantity).label("total"))
                    .join(Resource, Resource.id == SubscriptionResource.resource_id)
                    .where(Resource.measures_seats.is_(True), SubscriptionResource.subscription_id.in_(ids))
                    .group_by(SubscriptionResource.subscription_id).subquery("seat_sums"))
            return statement.outerjoin(sums, sums.c.subscription_id == Subscription.id), [func.coalesce(sums.c.total, 0)]
        return statement, {
            "customer": [func.lower(self.customer)],
            "plan": [Plan.name, PlanTerm.name],
            "status": [self.status_code],
            "period": [Subscription.current_period_end],
            "margin": [Subscription.monthly_margin],
        }[sort]


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(statement: Select, reseller_id: int, filters: OverviewFilters, columns: _Columns) -> Select:
    statement = (statement.join(Organisation, Organisation.id == Subscription.owner_id)
                 .join(Plan, Plan.id == Subscription.plan_id).join(PlanTerm, PlanTerm.id == Subscription.plan_term_id)
                 .where(Organisation.parent_id == reseller_id, Subscription.status != S.EXPIRED.value))
    if filters.status == "active":
        statement = statement.where(Subscription.status == S.ACTIVE.value, ~columns.has_scheduled)
    elif filters.status == "change_scheduled":
        statement = statement.where(Subscription.status == S.ACTIVE.value, columns.has_scheduled)
    elif filters.status:
        statement = statement.where(Subscription.status == filters.status)
    if filters.plan_id:
        statement = statement.where(Subscription.plan_id == filters.plan_id)
    if filters.customer_id:
        statement = statement.where(Subscription.owner_id == filters.customer_id)
    if filters.search:
        statement = statement.where(Subscription.id.in_(_searched(reseller_id, _like(filters.search))))
    return statement


def _searched(reseller_id: int, pattern: str):
    """The ids of the subscriptions whose customer's name, plan's name or (single-user plans)
    end user's e-mail contains the search: each name is matched once (the 5,000 customers, the
    plans) and the subscriptions found through their indexed owner and plan, rather than every
    subscription's names matched in turn."""
    customers = select(Organisation.id).where(Organisation.parent_id == reseller_id,
                                              func.lower(Organisation.name).like(pattern, escape="\\"))
    plans = select(Plan.id).where(func.lower(Plan.name).like(pattern, escape="\\"))
    end_users = (select(Subscription.id).join(Plan, Plan.id == Subscription.plan_id)
                 .join(User, User.organisation_id == Subscription.owner_id)
                 .where(Plan.kind == PlanKind.SINGLE_USER.value, func.lower(User.email).like(pattern, escape="\\")))
    return union(select(Subscription.id).where(Subscription.owner_id.in_(customers)),
                 select(Subscription.id).where(Subscription.plan_id.in_(plans)), end_users)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _ordered(statement: Select, reseller_id: int, filters: OverviewFilters, columns: _Columns, few: bool = False) -> Select:
    """``statement`` (any select over ``Subscription``) filtered and in the table's order
    (``few``: it selects a few rows, a page's or a narrow filter's, so sums are sorted by their
    own sub-queries rather than by one grouped pass over every subscription)."""
    statement = _filtered(statement, reseller_id, filters, columns)
    if not filters.sort:
        return statement.order_by(Subscription.id.desc())
    ids = None if few else _filtered(select(Subscription.id), reseller_id, filters, columns)
    statement, keys = columns.sorted_by(statement, filters.sort, ids)
    ordered = [(key.desc() if filters.descending else key.asc()).nulls_last() for key in keys]
    return statement.order_by(*ordered, Subscription.id.desc() if filters.descending else Subscription.id)


def _table_columns(columns: _Columns) -> Select:
    return select(
        Subscription.id, Subscription.owner_id, Subscription.status, Subscription.current_period_start,
        Subscription.current_period_end, Subscription.currency, Subscription.cancel_at_period_end,
        columns.customer.label("customer"), Plan.kind.label("plan_kind"), Plan.name.label("plan"),
        PlanTerm.name.label("term"), PlanTerm.billing_frequency_months.label("billing_months"),
        columns.seats.label("seats"), columns.scheduled_at.label("scheduled_at"),
        columns.awaiting_payment.label("awaiting_payment"), Subscription.monthly_margin,
    )


def overview_statement(reseller_id: int, filters: OverviewFilters) -> Select:
    """Every row of the table for these filters, in the table's order (no page applied)."""
    columns = _Columns(_dialect())
    return _ordered(_table_columns(columns), reseller_id, filters, columns)


# Up to this many rows, sorting by seats evaluates each row's own sub-query; above it, one
# grouped pass over the subscriptions is cheaper (measured at the bench's size on a busy machine:
# 20,060 rows 212-236 ms against 359-381 ms). The margin is a kept, indexed column.
ROW_SORT_LIMIT = 5000


def page_statement(reseller_id: int, filters: OverviewFilters, page: int, columns: _Columns | None = None,
                   total: int | None = None) -> Select:
    """The rows of one page. The page's ids are chosen by sorting ids only (so the computed
    columns of the rows skipped before a deep page are never evaluated), then its rows read.
    ``total``, the filtered rows' count when known, picks how sums are sorted."""
    columns = columns or _Columns(_dialect())
    narrow = total is not None and total <= ROW_SORT_LIMIT
    ids = (_ordered(select(Subscription.id), reseller_id, filters, columns, few=narrow)
           .limit(PER_PAGE).offset((page - 1) * PER_PAGE))
    return _ordered(_table_columns(columns).where(Subscription.id.in_(ids.scalar_subquery())), reseller_id, filters, columns,
                    few=True)


def _row(values, now: datetime) -> OverviewRow:
    status = display_status_of(values.status, values.scheduled_at, bool(values.awaiting_payment), values.current_period_end)
    period_end = values.current_period_end
    return OverviewRow(
        subscription_id=values.id, customer_id=values.owner_id, customer=values.customer,
        single_user=values.plan_kind == PlanKind.SINGLE_USER.value, plan=values.plan, billing_cycle=values.term,
        status=status, seats=int(values.seats or 0), period_start=values.current_period_start, period_end=period_end,
        currency=values.currency,
        monthly_margin=values.monthly_margin,
        can_change=values.status == S.ACTIVE.value,
        can_cancel=(values.status == S.ACTIVE.value and period_end is not None and not values.cancel_at_period_end),
        can_resume=(bool(values.cancel_at_period_end) and values.status in (S.CANCELED.value, S.SUSPENDED.value)
                    and period_end is not None and now < period_end),
    )


def overview_page(reseller_id: int, filters: OverviewFilters, now: datetime, unfiltered_total: int | None = None) -> OverviewPage:
    """One page of the table (two queries: the count, the rows; one when the table is not
    filtered and ``unfiltered_total``, the cards' total, which counts the same rows, is given).
    A page past the last shows the last."""
    columns = _Columns(_dialect())
    if unfiltered_total is not None and not filters.filtered:
        total = unfiltered_total
    else:
        total = db.session.scalar(_filtered(select(func.count(Subscription.id)), reseller_id, filters, columns)) or 0
    page = min(filters.page, max(1, ceil(total / PER_PAGE)))
    rows = [_row(values, now) for values in db.session.execute(page_statement(reseller_id, filters, page, columns, total))]
    return OverviewPage(rows, total, page)


def stream_overview_rows(engine: Engine, statement: Select, now: datetime, batch: int = 1000) -> Iterator[OverviewRow]:
    """The rows of ``statement`` (``overview_statement``: the filtered table, every page) read in
    batches of ``batch`` through a server-side cursor on a connection of its own: memory stays
    flat whatever the number of rows, and nothing depends on the request's context or session,
    so a response can stream it after the view has returned. Nothing is read until iterated; the
    connection is given back when the iteration ends or is abandoned."""
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=batch).execute(statement)
        for values in result:
            yield _row(values, now)


def overview_cards(reseller_id: int) -> SubscriptionCounts:
    """The summary cards: the reseller's customers' live subscriptions (two queries)."""
    return subscription_counts(*customer_subscription_criteria(reseller_id))


PLAN_CHOICES = 20  # plans listed by the plan filter's search at most


@dataclass(frozen=True)
class PlanChoices:
    """The plan filter's search: the first plans in use (by name) whose name contains it."""

    search: str
    plans: tuple[tuple[int, str], ...]  # (id, name)
    more: bool  # more plans match than are listed


def _plans_in_use(reseller_id: int) -> Select:
    """The plans of which some customer of the reseller has a live subscription (a look-up of
    ``subscription.plan_id`` per plan, rather than every subscription read)."""
    in_use = exists().where(Subscription.plan_id == Plan.id, *customer_subscription_criteria(reseller_id))
    return select(Plan.id, Plan.name).where(in_use)


def plan_choices(reseller_id: int, search: str) -> PlanChoices:
    """The first ``PLAN_CHOICES`` plans in use whose name contains ``search`` (every plan in use
    when empty), by name."""
    search = " ".join(search.split())[:SEARCH_MAX]
    statement = _plans_in_use(reseller_id).order_by(Plan.name, Plan.id).limit(PLAN_CHOICES + 1)
    if search:
        statement = statement.where(func.lower(Plan.name).like(_like(search), escape="\\"))
    plans = [tuple(row) for row in db.session.execute(statement)]
    return PlanChoices(search, tuple(plans[:PLAN_CHOICES]), len(plans) > PLAN_CHOICES)


def filtered_plan(reseller_id: int, filters: OverviewFilters) -> str | None:
    """The name of the plan the filters name, when some customer of the reseller uses it (one
    query, only when set); None otherwise."""
    if not filters.plan_id:
        return None
    return db.session.scalar(_plans_in_use(reseller_id).where(Plan.id == filters.plan_id).with_only_columns(Plan.name))


def _encode_cards(cards: SubscriptionCounts) -> str:
    return json.dumps(asdict(cards))


def _decode_cards(raw: bytes) -> SubscriptionCounts:
    return SubscriptionCounts(**json.loads(raw))


def overview_summary(reseller_id: int) -> SubscriptionCounts:
    """The cards, over every live subscription of the reseller's customers (two aggregate
    queries), kept in Redis for ``RESELLER_SUMMARY_CACHE_SECONDS`` under a key naming the
    reseller and ``subscriptions_version()`` (one cheap query): any subscription added or changed
    anywhere makes a new key, so the cards never lag a change; the table's pages and sorts in
    between reuse them."""
    def build() -> SubscriptionCounts:
        return overview_cards(reseller_id)

    seconds = current_app.config.get("RESELLER_SUMMARY_CACHE_SECONDS", 0)
    if not seconds:
        return build()
    version = subscriptions_version()
    if version is None:
        return build()  # Redis unreachable: nothing is kept (a change might not have moved the version)
    key = f"reseller-summary:v3:{database_tag()}:{reseller_id}:{version}"
    return kept(key, seconds, build, _encode_cards, _decode_cards)


def revenue_chart(reseller_id: int, now: datetime) -> list[RevenueSeries]:
    """The last twelve months of what the reseller's customers were billed and what it was billed
    for them, and the margin (``billed_by_month``: the reconciliation's charges), one series per
    currency."""
    return cached_series(reseller_id, now, lambda: billed_by_month(reseller_id, now))


def customer_name(reseller_id: int, customer_id: int) -> str | None:
    """The name of one of the reseller's customers, None when it is not one of them."""
    return db.session.scalar(select(Organisation.name).where(Organisation.id == customer_id,
                                                             Organisation.parent_id == reseller_id))


@dataclass(frozen=True)
class HomePage:
    cards: SubscriptionCounts
    rows: OverviewPage
    filters: OverviewFilters
    plan: str | None  # the plan filtered on
    plan_choices: PlanChoices | None  # the plan filter's search, when one was made (without JavaScript)
    customer: str | None  # the customer filtered on
    chart: list[RevenueSeries]


class NotYourCustomer(LookupError):
    """The customer filter names an organisation that is not one of the reseller's customers."""


def filtered_customer(reseller_id: int, filters: OverviewFilters) -> str | None:
    """The name of the customer the filters name (None: no customer filter); raises
    ``NotYourCustomer`` when it is not one of the reseller's (one query, only when set)."""
    if not filters.customer_id:
        return None
    name = customer_name(reseller_id, filters.customer_id)
    if name is None:
        raise NotYourCustomer(filters.customer_id)
    return name


def home_page(reseller_id: int, filters: OverviewFilters, now: datetime, plan_search: str | None = None) -> HomePage:
    """Everything the home page shows, in at most eight queries whatever the page, sort or
    filter (three cheap ones when the cards and the chart are kept in Redis and the table is not
    filtered); ``plan_search``: the plan filter's search, when asked for. Raises
    ``NotYourCustomer`` for another reseller's customer."""
    customer = filtered_customer(reseller_id, filters)
    cards = overview_summary(reseller_id)
    return HomePage(cards=cards, rows=overview_page(reseller_id, filters, now, unfiltered_total=cards.total),
                    filters=filters, plan=filtered_plan(reseller_id, filters),
                    plan_choices=None if plan_search is None else plan_choices(reseller_id, plan_search),
                    customer=customer, chart=revenue_chart(reseller_id, now))

"""A reseller's charges for its customers' subscriptions in one calendar month (UTC), for its
PSA: one row per charged item, at both tiers (what it pays the distributor, what its customer
pays), with the period and the invoice that charged it.

Where each kind comes from (what the checkout and the lifecycle record, never recomputed from
today's price list):

- ``new``: the items of purchase order lines (``OrderLineItem``, as charged);
- ``change`` / ``proration``: the items of change order lines (prorated ones carry their
  fraction); a refund is negative;
- ``renewal``: the lines of billing periods recorded at the period's end (``BillingPeriod.lines``
  keep both tiers);
- ``cancellation``: a subscription cancelled in the month (nothing charged: the row tells the
  PSA the agreement ends at ``period_end``).

Both tiers of every charge come from one rule, in SQL (``app.reconciliation.amounts``), which the
reseller home's chart adds up by month (``app.reconciliation.monthly``): an order item is charged
at its buyer's tier; the other tier comes from the prices locked for the subscription's term (the
prices its changes and renewals use), prorated by the same fraction; a refund's other tier is
not known (blank).
Items billed later (postponed billing), change items of nothing, and renewal lines of no
quantity are not rows; neither are cancelled orders.

Which rows a month has, and their order, is one SQL statement (``app.reconciliation.keys``):
a page builds only its rows, and the CSV streams them from a cursor in batches.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only

from app.accounts.models import Organisation
from app.billing.models import Invoice
from app.catalog.models import Plan, PlanTerm
from app.core.csv_export import csv_text, safe_cell
from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.money import Money, minor_digits, plain_amount
from app.orders.models import Order, OrderLine, OrderLineItem, OrderLineKind
from app.plans.models import BillingPeriod, Subscription
from app.plans.periods import Period, anniversary, months_between
from app.reconciliation.amounts import item_tiers, with_tiers
from app.reconciliation.keys import RowKey, Source, ordered_keys, month_rows, row_count, row_keys

COLUMNS = ("date", "kind", "customer_id", "customer", "subscription_id", "plan", "term", "item", "quantity", "currency",
           "unit_cost", "unit_price", "cost_amount", "price_amount", "period_fraction", "period_start", "period_end",
           "order", "invoice")


class MonthOutOfRange(ValueError):
    pass


class NotAReseller(Refusal):
    kind = RefusalKind.FORBIDDEN
    message = "Only resellers have a reconciliation export: ask your distributor to enable reselling."


@dataclass(frozen=True)
class ReconciliationRow:
    date: datetime
    kind: str
    customer_id: int
    customer: str
    subscription_id: int
    plan: str
    term: str
    item: str
    quantity: int
    currency: str
    unit_cost: int | None  # minor units; None when not known (see the module's docstring)
    unit_price: int | None
    cost_amount: int | None
    price_amount: int | None
    period_fraction: str
    period_start: datetime | None
    period_end: datetime | None
    order: str
    invoice: str

    @property
    def cost_money(self) -> Money | None:
        return Money(self.cost_amount, self.currency) if self.cost_amount is not None else None

    @property
    def price_money(self) -> Money | None:
        return Money(self.price_amount, self.currency) if self.price_amount is not None else None


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise MonthOutOfRange("Pick a month between January 2000 and December 2100.")
    return datetime(year, month, 1), datetime(year + month // 12, month % 12 + 1, 1)


def period_containing(subscription: Subscription, moment: datetime) -> Period | None:
    """The billing period of ``subscription`` that contains ``moment`` (from its anchor)."""
    anchor = subscription.period_anchor or subscription.current_period_start
    months = subscription.plan_term.billing_frequency_months if subscription.plan_term else 0
    if anchor is None or not months or moment < anchor:
        return None
    index = max(0, months_between(anchor, moment) // months - 1)
    while anniversary(anchor, (index + 1) * months) <= moment:
        index += 1
    return Period(anniversary(anchor, index * months), anniversary(anchor, (index + 1) * months))


def _subscriptions(ids: set[int]) -> dict[int, Subscription]:
    """The subscriptions the rows name, with owner, plan and term: one statement, only the
    columns a row shows (not their parameters)."""
    if not ids:
        return {}
    statement = select(Subscription).where(Subscription.id.in_(ids)).options(
        load_only(Subscription.id, Subscription.owner_id, Subscription.currency, Subscription.activated_at,
                  Subscription.period_anchor, Subscription.current_period_start, Subscription.current_period_end,
                  Subscription.canceled_at, Subscription.expired_at, Subscription.locked_prices),
        joinedload(Subscription.owner).load_only(Organisation.name),
        joinedload(Subscription.plan).load_only(Plan.name),
        joinedload(Subscription.plan_term).load_only(PlanTerm.name, PlanTerm.billing_frequency_months))
    return {subscription.id: subscription for subscription in db.session.scalars(statement).unique()}


def _items(ids: list[int]) -> list:
    """The items with both tiers (``app.reconciliation.amounts``)."""
    if not ids:
        return []
    tiers = item_tiers(db.engine.dialect.name)
    return db.session.execute(with_tiers(
        select(OrderLineItem.id, OrderLineItem.description, OrderLineItem.quantity, OrderLineItem.period_fraction,
               OrderLine.kind.label("line_kind"), OrderLine.subscription_id, Order.id.label("order_id"),
               Order.number.label("order_number"), Order.created_at, Order.currency,
               tiers.unit_cost.label("unit_cost"), tiers.unit_price.label("unit_price"),
               tiers.cost_amount.label("cost_amount"), tiers.price_amount.label("price_amount"))
        .select_from(OrderLineItem)
        .join(OrderLine, OrderLineItem.order_line_id == OrderLine.id).join(Order, OrderLine.order_id == Order.id)
        .join(Subscription, OrderLine.subscription_id == Subscription.id))
        .where(OrderLineItem.id.in_(ids))).all()


def _periods(ids: list[int]) -> list:
    if not ids:
        return []
    return db.session.execute(
        select(BillingPeriod.id, BillingPeriod.subscription_id, BillingPeriod.created_at, BillingPeriod.currency,
               BillingPeriod.lines, BillingPeriod.period_start, BillingPeriod.period_end, BillingPeriod.invoice_id)
        .where(BillingPeriod.id.in_(ids))).all()


def _order_invoices(order_ids: set[int]) -> dict[int, str]:
    """Each order's first invoice number."""
    invoices: dict[int, str] = {}
    if order_ids:
        for order_id, number in db.session.execute(select(Invoice.order_id, Invoice.number).where(Invoice.order_id.in_(order_ids))
                                                   .order_by(Invoice.id)):
            invoices.setdefault(order_id, number)
    return invoices


def _invoice_numbers(invoice_ids: set[int]) -> dict[int, str]:
    if not invoice_ids:
        return {}
    return dict(db.session.execute(select(Invoice.id, Invoice.number).where(Invoice.id.in_(invoice_ids))).all())


class _Related:
    """What the rows of a batch refer to, read once per collection."""

    def __init__(self, items: list, periods: list, cancelled_ids: list[int]) -> None:
        self.subscriptions = _subscriptions({item.subscription_id for item in items}
                                            | {period.subscription_id for period in periods} | set(cancelled_ids))
        self.order_invoices = _order_invoices({item.order_id for item in items})
        self.period_invoices = _invoice_numbers({period.invoice_id for period in periods if period.invoice_id})


def _integer(value) -> int | None:
    return None if value is None else int(value)


def _item_row(item, related: _Related) -> ReconciliationRow:
    subscription = related.subscriptions[item.subscription_id]
    kind = "new" if item.line_kind == OrderLineKind.PURCHASE.value else ("proration" if item.period_fraction else "change")
    if kind == "new" and subscription.activated_at is not None:
        period = period_containing(subscription, subscription.activated_at)
    else:
        period = period_containing(subscription, item.created_at)
    return ReconciliationRow(
        item.created_at, kind, subscription.owner_id, subscription.owner.name, subscription.id, subscription.plan.name,
        subscription.plan_term.name, item.description, item.quantity, item.currency, _integer(item.unit_cost),
        _integer(item.unit_price), _integer(item.cost_amount), _integer(item.price_amount), item.period_fraction, period.start if period else None,
        period.end if period else None, item.order_number, related.order_invoices.get(item.order_id, ""))


def _renewal_rows(period, related: _Related) -> Iterator[tuple[RowKey, ReconciliationRow]]:
    subscription = related.subscriptions[period.subscription_id]
    for index, line in enumerate(period.lines):
        if not line.get("quantity"):
            continue
        quantity = line["quantity"]
        yield RowKey(Source.RENEWAL_LINE, period.id, index), ReconciliationRow(
            period.created_at, "renewal", subscription.owner_id, subscription.owner.name, subscription.id,
            subscription.plan.name, subscription.plan_term.name, line["description"], quantity, period.currency,
            line["unit_cost"], line["unit_customer"], line["unit_cost"] * quantity, line["unit_customer"] * quantity, "",
            period.period_start, period.period_end, "", related.period_invoices.get(period.invoice_id, ""))


def _cancellation_row(subscription: Subscription) -> ReconciliationRow:
    return ReconciliationRow(
        subscription.canceled_at, "cancellation", subscription.owner_id, subscription.owner.name, subscription.id,
        subscription.plan.name, subscription.plan_term.name, "Cancelled: ends at the end of the period", 0,
        subscription.currency, 0, 0, 0, 0, "", subscription.current_period_start,
        subscription.expired_at or subscription.current_period_end, "", "")


def rows_of(keys: list[RowKey]) -> list[ReconciliationRow]:
    """The rows these keys name, in the keys' order, in a few statements whatever their number:
    the items, the periods, then one per related collection (subscriptions, buyers, invoices,
    resources)."""
    def ids(source: Source) -> list[int]:
        return sorted({key.record_id for key in keys if key.source is source})

    items, periods, cancelled = _items(ids(Source.ORDER_ITEM)), _periods(ids(Source.RENEWAL_LINE)), ids(Source.CANCELLATION)
    related = _Related(items, periods, cancelled)
    built = {RowKey(Source.ORDER_ITEM, item.id): _item_row(item, related) for item in items}
    for period in periods:
        built.update(_renewal_rows(period, related))
    built.update((RowKey(Source.CANCELLATION, subscription_id), _cancellation_row(related.subscriptions[subscription_id]))
                 for subscription_id in cancelled)
    return [built[key] for key in keys]


def month_of(reseller, year: int, month: int) -> tuple[datetime, datetime]:
    """The month's bounds for ``reseller``'s reconciliation. Raises ``NotAReseller`` unless the
    organisation is enabled for reselling (the panel's audience), ``MonthOutOfRange`` for a
    month outside 2000..2100."""
    if not reseller.acts_as_reseller:
        raise NotAReseller()
    return month_bounds(year, month)


@dataclass(frozen=True)
class ReconciliationPage:
    rows: list[ReconciliationRow]  # positions offset + 1, offset + 2, ...
    offset: int
    has_more: bool
    total: int | None  # the month's number of rows, when asked for


def reconciliation_page(reseller, year: int, month: int, *, offset: int = 0, limit: int = 100,
                        with_total: bool = False) -> ReconciliationPage:
    """The month's rows ``offset + 1`` to ``offset + limit`` (in date order, as the export has
    them): the page's rows only are read, in a handful of statements whatever the month's size
    (the keys, then one per related collection; one more for ``with_total``). Raises as
    ``month_of``."""
    start, end = month_of(reseller, year, month)
    keys = row_keys(reseller.id, start, end, offset, limit + 1)
    total = row_count(reseller.id, start, end) if with_total else None
    return ReconciliationPage(rows_of(keys[:limit]), offset, len(keys) > limit, total)


def reconciliation_rows(reseller, year: int, month: int) -> list[ReconciliationRow]:
    """Every charge of ``reseller``'s customers' subscriptions dated in ``year``-``month`` (UTC),
    in date order, as one list (the export streams them instead: ``stream_rows``). Raises as
    ``month_of``."""
    start, end = month_of(reseller, year, month)
    return rows_of(row_keys(reseller.id, start, end))


def stream_rows(reseller_id: int, start: datetime, end: datetime, batch: int = 1000) -> Iterator[ReconciliationRow]:
    """The month's rows in order, read in batches of ``batch``: the keys through a server-side
    cursor on a connection of their own, the rows of each batch through the session (expunged
    after each batch), so memory stays flat whatever the month's size."""
    with db.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=batch).execute(
            ordered_keys(month_rows(reseller_id, start, end)))
        for partition in result.partitions():
            yield from rows_of([RowKey(Source(source), record_id, int(index)) for source, record_id, index in partition])
            db.session.expunge_all()


def csv_values(row: ReconciliationRow, digits: int) -> list:
    """The row as the CSV writes it: amounts in the currency's major unit ("12.50"), times ISO
    8601, names led by an apostrophe when a spreadsheet would run them as a formula."""
    def day(moment):
        return moment.date().isoformat() if moment else ""

    return [row.date.isoformat(timespec="seconds"), row.kind, row.customer_id, safe_cell(row.customer), row.subscription_id,
            safe_cell(row.plan), safe_cell(row.term), safe_cell(row.item), row.quantity, row.currency,
            plain_amount(row.unit_cost, digits), plain_amount(row.unit_price, digits), plain_amount(row.cost_amount, digits),
            plain_amount(row.price_amount, digits), row.period_fraction, day(row.period_start), day(row.period_end),
            row.order, row.invoice]


def csv_chunks(rows: Iterable[ReconciliationRow], header: bool = True) -> Iterator[str]:
    """The CSV (a header of ``COLUMNS`` unless ``header`` is false, then ``csv_values`` of each
    row) in pieces of about 8 KB, for a streamed response."""
    return csv_text((csv_values(row, minor_digits(row.currency)) for row in rows), header=COLUMNS if header else None)


def month_csv(reseller, year: int, month: int) -> Iterator[str]:
    """The month's CSV (``csv_chunks``) as a lazy stream for a response body: checked now
    (raises as ``month_of``), its rows read while the body is sent, in batches from a cursor,
    in an application context of its own, as ``app.core.csv_export.streamed_csv`` does and for
    its reasons (no ``stream_with_context``). The header goes first, before that context is
    pushed: servers and the test client read a first chunk while the request's context is
    still on the stack."""
    start, end = month_of(reseller, year, month)
    app, reseller_id = current_app._get_current_object(), reseller.id

    def generate():
        yield from csv_chunks((), header=True)
        with app.app_context():
            yield from csv_chunks(stream_rows(reseller_id, start, end), header=False)

    return generate()


def csv_filename(year: int, month: int) -> str:
    return f"reconciliation-{year}-{month:02d}.csv"


def month_choices(now: datetime, count: int = 24) -> list[tuple[int, int]]:
    """The current month and the ``count - 1`` before it, newest first."""
    months = []
    year, month = now.year, now.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def month_label(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"

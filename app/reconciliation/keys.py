"""Which rows a reseller's reconciliation month has, and in which order, computed in SQL: one
statement naming each row by its source (an order line item, a line of a billing period, a
cancelled subscription) in the month's order, so that a page reads only its own rows
(LIMIT/OFFSET), a count reads no row at all, and an export walks it with a cursor.

The order is the one the export has always had: by date, then subscription, then kind (in the
kinds' alphabetical order), then, among rows of one source, the order they were recorded in
(order, line position, item position; billing period, line of the period). The conditions are
those of ``app.reconciliation.rows`` (which builds each row): see that module's docstring.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Numeric, and_, case, cast, func, literal_column, not_, select, true, union_all
from sqlalchemy.sql import Select

from app.accounts.models import Organisation
from app.extensions import db
from app.orders.models import Order, OrderLine, OrderLineItem, OrderLineKind, OrderStatus
from app.plans.models import BillingPeriod, BillingPeriodStatus, Subscription

KINDS = ("cancellation", "change", "new", "proration", "renewal")
_RANK = {kind: rank for rank, kind in enumerate(sorted(KINDS))}


class Source(enum.IntEnum):
    ORDER_ITEM = 0  # ``OrderLineItem.id``
    RENEWAL_LINE = 1  # ``BillingPeriod.id`` and the index of the line in ``BillingPeriod.lines``
    CANCELLATION = 2  # ``Subscription.id``


@dataclass(frozen=True)
class RowKey:
    source: Source
    record_id: int
    line_index: int = 0


def _number(value) -> literal_column:
    return literal_column(str(int(value)), Integer)


def _customers(reseller_id: int) -> Select:
    return select(Organisation.id).where(Organisation.parent_id == reseller_id)


def _order_items(reseller_id: int, start: datetime, end: datetime) -> Select:
    kind_rank = case((OrderLine.kind == OrderLineKind.PURCHASE.value, _number(_RANK["new"])),
                     (func.coalesce(OrderLineItem.period_fraction, "") != "", _number(_RANK["proration"])),
                     else_=_number(_RANK["change"]))
    return (
        select(Order.created_at.label("date"), OrderLine.subscription_id.label("subscription_id"), kind_rank.label("kind_rank"),
               Order.id.label("first"), OrderLine.position.label("second"), OrderLineItem.position.label("third"),
               _number(Source.ORDER_ITEM).label("source"), OrderLineItem.id.label("record_id"),
               _number(0).label("line_index"))
        .select_from(OrderLineItem)
        .join(OrderLine, OrderLineItem.order_line_id == OrderLine.id)
        .join(Order, OrderLine.order_id == Order.id)
        .join(Subscription, OrderLine.subscription_id == Subscription.id)
        .where(*charged_items(reseller_id, start, end))
    )


def charged_items(reseller_id: int, start: datetime, end: datetime) -> tuple:
    """The order items charged for ``reseller_id``'s customers' subscriptions in [start, end):
    conditions on ``OrderLineItem``, ``OrderLine``, ``Order`` and ``Subscription`` joined. Items
    billed later (postponed billing: a billing period bills them), change items of nothing and
    cancelled orders charged nothing."""
    return (Order.created_at >= start, Order.created_at < end, Order.status != OrderStatus.CANCELED.value,
            Subscription.owner_id.in_(_customers(reseller_id)), OrderLineItem.billed_later.is_(False),
            not_(and_(OrderLine.kind == OrderLineKind.CHANGE.value, OrderLineItem.subtotal == 0)))


def billed_periods(reseller_id: int, start: datetime, end: datetime) -> tuple:
    """The billing periods recorded (renewals billed) for ``reseller_id``'s customers'
    subscriptions in [start, end): conditions on ``BillingPeriod`` and ``Subscription`` joined.
    A free month bills nothing."""
    return (BillingPeriod.created_at >= start, BillingPeriod.created_at < end,
            BillingPeriod.status != BillingPeriodStatus.NOTHING_DUE.value, Subscription.owner_id.in_(_customers(reseller_id)))


def _period_lines():
    """The lines of ``BillingPeriod.lines`` (a JSON array) as a table: (index from 0, quantity)."""
    if db.engine.dialect.name == "postgresql":
        elements = func.json_array_elements(BillingPeriod.lines).table_valued("value", with_ordinality="ordinality")
        quantity = cast(func.json_extract_path_text(elements.c.value, "quantity"), Numeric)
        return elements, elements.c.ordinality - 1, quantity
    elements = func.json_each(BillingPeriod.lines).table_valued("key", "value")
    return elements, elements.c.key, func.json_extract(elements.c.value, "$.quantity")


def _renewal_lines(reseller_id: int, start: datetime, end: datetime) -> Select:
    elements, index, quantity = _period_lines()
    return (
        select(BillingPeriod.created_at, BillingPeriod.subscription_id, _number(_RANK["renewal"]), BillingPeriod.id, index,
               _number(0), _number(Source.RENEWAL_LINE), BillingPeriod.id, index)
        .select_from(BillingPeriod)
        .join(Subscription, BillingPeriod.subscription_id == Subscription.id)
        .join(elements, true())
        .where(*billed_periods(reseller_id, start, end), func.coalesce(quantity, 0) != 0)  # a line with no quantity charged nothing
    )


def _cancellations(reseller_id: int, start: datetime, end: datetime) -> Select:
    return select(Subscription.canceled_at, Subscription.id, _number(_RANK["cancellation"]), Subscription.id, _number(0),
                  _number(0), _number(Source.CANCELLATION), Subscription.id, _number(0)).where(
        Subscription.canceled_at >= start, Subscription.canceled_at < end, Subscription.current_period_end.is_not(None),
        Subscription.owner_id.in_(_customers(reseller_id)))


def month_rows(reseller_id: int, start: datetime, end: datetime):
    """Every row of the month as a subquery: (date, subscription_id, kind_rank, first, second,
    third, source, record_id, line_index)."""
    return union_all(_order_items(reseller_id, start, end), _renewal_lines(reseller_id, start, end),
                     _cancellations(reseller_id, start, end)).subquery("month_rows")


def ordered_keys(rows) -> Select:
    """The keys of ``month_rows`` in the month's order."""
    c = rows.c
    return select(c.source, c.record_id, c.line_index).order_by(
        c.date, c.subscription_id, c.kind_rank, c.first, c.second, c.third, c.source, c.record_id, c.line_index)


def row_keys(reseller_id: int, start: datetime, end: datetime, offset: int = 0, limit: int | None = None) -> list[RowKey]:
    """The keys of the month's rows ``offset + 1`` to ``offset + limit`` (all from ``offset``
    without a limit), in order; one statement."""
    statement = ordered_keys(month_rows(reseller_id, start, end)).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return [RowKey(Source(source), record_id, int(line_index)) for source, record_id, line_index in db.session.execute(statement)]


def row_count(reseller_id: int, start: datetime, end: datetime) -> int:
    """How many rows the month has; one statement, no row read."""
    return db.session.scalar(select(func.count()).select_from(month_rows(reseller_id, start, end))) or 0

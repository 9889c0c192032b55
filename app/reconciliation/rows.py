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

An order item is charged at its buyer's tier; the other tier comes from the prices locked for
the subscription's term (the prices its changes and renewals use), prorated by the same fraction.
"""
from __future__ import annotations

import calendar
import csv
import io
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import Organisation
from app.billing.models import Invoice
from app.catalog.models import Resource
from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.money import Money, minor_digits
from app.orders.models import Order, OrderLine, OrderLineKind, OrderStatus
from app.plans.models import BillingPeriod, BillingPeriodStatus, Subscription
from app.plans.periods import Period, anniversary, months_between
from app.plans.proration import prorate
from app.plans.term_prices import TermPrices, locked_prices_of

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


def _fraction(text: str) -> Fraction | None:
    numerator, _, denominator = (text or "").partition("/")
    if numerator.isascii() and numerator.isdigit() and denominator.isascii() and denominator.isdigit() and int(denominator):
        return Fraction(int(numerator), int(denominator))
    return None


def _amount(unit: int | None, quantity: int, fraction_text: str) -> int | None:
    if unit is None:
        return None
    fraction = _fraction(fraction_text)
    if fraction is None:
        return unit * quantity
    return prorate(unit, abs(quantity), fraction) * (-1 if quantity < 0 else 1)


def _other_tier(prices: TermPrices | None, resource_ids: dict[str, int], code: str, tier: str) -> int | None:
    if prices is None:
        return None
    if not code:
        return getattr(prices.plan, tier)
    resource_id = resource_ids.get(code)
    tiers = prices.resources.get(resource_id) if resource_id is not None else None
    return getattr(tiers, tier) if tiers is not None else None


def _customers(reseller) -> select:
    return select(Organisation.id).where(Organisation.parent_id == reseller.id)


def _order_rows(reseller, start: datetime, end: datetime, resource_ids: dict[str, int]) -> list[ReconciliationRow]:
    lines = db.session.scalars(
        select(OrderLine).join(Order, OrderLine.order_id == Order.id).join(Subscription, OrderLine.subscription_id == Subscription.id)
        .where(Order.created_at >= start, Order.created_at < end, Order.status != OrderStatus.CANCELED.value,
               Subscription.owner_id.in_(_customers(reseller)))
        .options(joinedload(OrderLine.order).joinedload(Order.buyer), selectinload(OrderLine.items),
                 joinedload(OrderLine.subscription).joinedload(Subscription.owner),
                 joinedload(OrderLine.subscription).joinedload(Subscription.plan),
                 joinedload(OrderLine.subscription).joinedload(Subscription.plan_term))
        .order_by(Order.created_at, Order.id, OrderLine.position)).unique().all()
    order_ids = {line.order_id for line in lines}
    invoices = {}
    if order_ids:
        for order_id, number in db.session.execute(select(Invoice.order_id, Invoice.number).where(Invoice.order_id.in_(order_ids))
                                                   .order_by(Invoice.id)):
            invoices.setdefault(order_id, number)
    rows = []
    for line in lines:
        order, subscription = line.order, line.subscription
        prices = locked_prices_of(subscription)
        buyer_pays_cost = order.buyer.acts_as_reseller
        when = order.created_at
        for item in line.items:
            if item.billed_later or (line.kind == OrderLineKind.CHANGE.value and item.subtotal == 0):
                continue
            kind = "new" if line.kind == OrderLineKind.PURCHASE.value else ("proration" if item.period_fraction else "change")
            if buyer_pays_cost:
                unit_cost, cost_amount = item.unit_price, item.subtotal
                unit_price = _other_tier(prices, resource_ids, item.resource_code, "customer")
                price_amount = _amount(unit_price, item.quantity, item.period_fraction)
            else:
                unit_price, price_amount = item.unit_price, item.subtotal
                unit_cost = _other_tier(prices, resource_ids, item.resource_code, "cost")
                cost_amount = _amount(unit_cost, item.quantity, item.period_fraction)
            if kind == "new" and subscription.activated_at is not None:
                period = period_containing(subscription, subscription.activated_at)
            else:
                period = period_containing(subscription, when)
            rows.append(ReconciliationRow(
                when, kind, subscription.owner_id, subscription.owner.name, subscription.id, subscription.plan.name,
                subscription.plan_term.name, item.description, item.quantity, order.currency, unit_cost, unit_price,
                cost_amount, price_amount, item.period_fraction, period.start if period else None,
                period.end if period else None, order.number, invoices.get(order.id, "")))
    return rows


def _renewal_rows(reseller, start: datetime, end: datetime) -> list[ReconciliationRow]:
    periods = db.session.scalars(
        select(BillingPeriod).join(Subscription, BillingPeriod.subscription_id == Subscription.id)
        .where(BillingPeriod.created_at >= start, BillingPeriod.created_at < end,
               BillingPeriod.status != BillingPeriodStatus.NOTHING_DUE.value, Subscription.owner_id.in_(_customers(reseller)))
        .options(joinedload(BillingPeriod.subscription).joinedload(Subscription.owner),
                 joinedload(BillingPeriod.subscription).joinedload(Subscription.plan),
                 joinedload(BillingPeriod.subscription).joinedload(Subscription.plan_term))
        .order_by(BillingPeriod.created_at, BillingPeriod.id)).unique().all()
    invoice_ids = {period.invoice_id for period in periods if period.invoice_id}
    numbers = dict(db.session.execute(select(Invoice.id, Invoice.number).where(Invoice.id.in_(invoice_ids))).tuples().all()) if invoice_ids else {}
    rows = []
    for period in periods:
        subscription = period.subscription
        for line in period.lines:
            if not line.get("quantity"):
                continue
            quantity = line["quantity"]
            rows.append(ReconciliationRow(
                period.created_at, "renewal", subscription.owner_id, subscription.owner.name, subscription.id,
                subscription.plan.name, subscription.plan_term.name, line["description"], quantity, period.currency,
                line["unit_cost"], line["unit_customer"], line["unit_cost"] * quantity, line["unit_customer"] * quantity, "",
                period.period_start, period.period_end, "", numbers.get(period.invoice_id, "")))
    return rows


def _cancellation_rows(reseller, start: datetime, end: datetime) -> list[ReconciliationRow]:
    subscriptions = db.session.scalars(
        select(Subscription).where(Subscription.canceled_at >= start, Subscription.canceled_at < end,
                                   Subscription.current_period_end.is_not(None), Subscription.owner_id.in_(_customers(reseller)))
        .options(joinedload(Subscription.owner), joinedload(Subscription.plan), joinedload(Subscription.plan_term))
        .order_by(Subscription.canceled_at, Subscription.id)).unique().all()
    return [ReconciliationRow(subscription.canceled_at, "cancellation", subscription.owner_id, subscription.owner.name,
                              subscription.id, subscription.plan.name, subscription.plan_term.name,
                              "Cancelled: ends at the end of the period", 0, subscription.currency, 0, 0, 0, 0, "",
                              subscription.current_period_start, subscription.expired_at or subscription.current_period_end, "", "")
            for subscription in subscriptions]


def reconciliation_rows(reseller, year: int, month: int) -> list[ReconciliationRow]:
    """Every charge of ``reseller``'s customers' subscriptions dated in ``year``-``month`` (UTC),
    in date order. A handful of queries whatever the size (rows, then one per related collection).
    Raises ``NotAReseller`` unless the organisation is enabled for reselling (the panel's
    audience), ``MonthOutOfRange`` for a month outside 2000..2100."""
    if not reseller.acts_as_reseller:
        raise NotAReseller()
    start, end = month_bounds(year, month)
    resource_ids = dict(db.session.execute(select(Resource.code, Resource.id)).all())
    rows = _order_rows(reseller, start, end, resource_ids) + _renewal_rows(reseller, start, end) + _cancellation_rows(reseller, start, end)
    return sorted(rows, key=lambda row: (row.date, row.subscription_id, row.kind))


def money_text(amount: int | None, digits: int) -> str:
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10 ** digits) if digits else (abs(amount), 0)
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"


def csv_values(row: ReconciliationRow, digits: int) -> list:
    """The row as the CSV writes it: amounts in the currency's major unit ("12.50"), times ISO 8601."""
    def day(moment):
        return moment.date().isoformat() if moment else ""

    return [row.date.isoformat(timespec="seconds"), row.kind, row.customer_id, row.customer, row.subscription_id, row.plan,
            row.term, row.item, row.quantity, row.currency, money_text(row.unit_cost, digits),
            money_text(row.unit_price, digits), money_text(row.cost_amount, digits), money_text(row.price_amount, digits),
            row.period_fraction, day(row.period_start), day(row.period_end), row.order, row.invoice]


def csv_chunks(rows: list[ReconciliationRow]) -> Iterator[str]:
    """The CSV (a header of ``COLUMNS``, then ``csv_values`` of each row) in pieces of about 8 KB,
    for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(csv_values(row, minor_digits(row.currency)))
        if buffer.tell() > 8192:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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

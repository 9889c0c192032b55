"""Sales and margin: per reseller, per product and per month, from the order lines as charged.

One query service for the back office (every reseller, and the distributor's direct sales) and
the reseller panel (``reseller_id`` given: its own sales only). Each line counts once, in the
month its order was placed, when the order is paid or invoiced (an unpaid or cancelled card
order sold nothing). Values come from the line's frozen ``resale_subtotal`` (what the end
customer pays) and ``cost_subtotal`` (the reseller cost); margin = sales - cost. Lines placed
before these were recorded are left out. Amounts are in one currency at a time.

The reseller of a line is its buyer when the buyer is a reseller account, else the buyer's
seller when that is a reseller; otherwise the sale is the distributor's direct one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import String, case, func, literal, select
from sqlalchemy.orm import aliased

from app.accounts.models import Organisation, OrganisationKind
from app.catalog.models import Plan, PlanTerm, Product
from app.core.csv_export import csv_text, safe_cell
from app.extensions import db
from app.money import plain_amount
from app.orders.models import Order, OrderLine, OrderPaymentStatus

GROUPS = ("month", "reseller", "product")
PER_PAGE = 50
SOLD = (OrderPaymentStatus.PAID.value, OrderPaymentStatus.INVOICED.value)
DIRECT = "Direct (distributor)"


@dataclass(frozen=True)
class ReportFilter:
    currency: str
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive
    reseller_id: int | None = None  # only this reseller's sales


MONTH_FORMAT = "%Y-%m"


def parse_month(text: str | None) -> datetime | None:
    """``YYYY-MM`` as the first instant of that month, else None (ignored)."""
    try:
        return datetime.strptime((text or "")[:7], MONTH_FORMAT) if text and len(text) == 7 else None
    except ValueError:
        return None


def month_after(month: datetime) -> datetime:
    return month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)


def filter_from(arguments, reseller_id: int | None = None) -> tuple[ReportFilter, list[str]]:
    """The filter a report page's URL asks for (``currency``, ``from`` and ``to`` months, both
    included) and the currencies there are to choose from; bad values are ignored."""
    available = currencies(reseller_id)
    currency = arguments.get("currency")
    if currency not in available:
        currency = available[0] if available else "USD"
    start, last = parse_month(arguments.get("from")), parse_month(arguments.get("to"))
    return ReportFilter(currency, start, month_after(last) if last else None, reseller_id), available


@dataclass(frozen=True)
class ReportRow:
    key: object
    label: str
    lines: int
    sales: int
    cost: int

    @property
    def margin(self) -> int:
        return self.sales - self.cost

    @property
    def margin_percent(self) -> float | None:
        return round(100 * self.margin / self.sales, 1) if self.sales else None


def _month(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _base(selected_filter: ReportFilter):
    """The joined rows every report reads, filtered; returns (statement parts, reseller id
    expression, reseller name expression)."""
    buyer, seller = aliased(Organisation), aliased(Organisation)
    reseller_id = case((buyer.kind == OrganisationKind.RESELLER.value, buyer.id),
                       (seller.kind == OrganisationKind.RESELLER.value, seller.id), else_=None)
    reseller_name = case((buyer.kind == OrganisationKind.RESELLER.value, buyer.name),
                         (seller.kind == OrganisationKind.RESELLER.value, seller.name), else_=literal(DIRECT, String))
    criteria = [Order.payment_status.in_(SOLD), Order.currency == selected_filter.currency,
                OrderLine.resale_subtotal.is_not(None), OrderLine.cost_subtotal.is_not(None)]
    if selected_filter.start is not None:
        criteria.append(Order.created_at >= selected_filter.start)
    if selected_filter.end is not None:
        criteria.append(Order.created_at < selected_filter.end)
    if selected_filter.reseller_id is not None:
        criteria.append(reseller_id == selected_filter.reseller_id)

    def joined(statement):
        return (statement.select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
                .join(buyer, buyer.id == Order.buyer_id).outerjoin(seller, seller.id == buyer.parent_id)
                .join(PlanTerm, PlanTerm.id == OrderLine.plan_term_id).join(Plan, Plan.id == PlanTerm.plan_id)
                .join(Product, Product.id == Plan.product_id).where(*criteria))

    return joined, reseller_id, reseller_name


def _grouped(selected_filter: ReportFilter, group: str):
    joined, reseller_id, reseller_name = _base(selected_filter)
    month = _month(Order.created_at)
    key, label = {"month": (month, month), "reseller": (reseller_id, reseller_name), "product": (Product.id, Product.name)}[group]
    sales, cost = func.sum(OrderLine.resale_subtotal), func.sum(OrderLine.cost_subtotal)
    statement = joined(select(key.label("key"), label.label("label"), func.count(OrderLine.id).label("lines"),
                              sales.label("sales"), cost.label("cost")))
    statement = statement.group_by(key, label)
    order = {"month": [month.desc()], "reseller": [sales.desc(), label], "product": [sales.desc(), label]}[group]
    return statement.order_by(*order)


def _row(row) -> ReportRow:
    return ReportRow(row.key, row.label, int(row.lines), int(row.sales or 0), int(row.cost or 0))


def report_page(selected_filter: ReportFilter, group: str, page: int, per_page: int = PER_PAGE):
    """One page of the report grouped by ``group`` (month: newest first; otherwise by sales)
    as ``ReportRow``s, with the page count: (rows, total groups, pages)."""
    statement = _grouped(selected_filter, group)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = [_row(row) for row in db.session.execute(statement.limit(per_page).offset((page - 1) * per_page))]
    return rows, total, max(1, -(-total // per_page))


def totals(selected_filter: ReportFilter) -> ReportRow:
    joined, _, _ = _base(selected_filter)
    row = db.session.execute(joined(select(literal("all").label("key"), literal("Total").label("label"),
                                           func.count(OrderLine.id).label("lines"), func.sum(OrderLine.resale_subtotal).label("sales"),
                                           func.sum(OrderLine.cost_subtotal).label("cost")))).one()
    return _row(row)


def monthly(selected_filter: ReportFilter, months: int = 12) -> list[ReportRow]:
    """The last ``months`` months with sales, oldest first (the chart's bars)."""
    rows = [_row(row) for row in db.session.execute(_grouped(selected_filter, "month").limit(months))]
    return list(reversed(rows))


def currencies(reseller_id: int | None = None) -> list[str]:
    """The currencies with recorded sales (of this reseller), most used first."""
    statement = (select(Order.currency, func.count(OrderLine.id)).select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
                 .where(Order.payment_status.in_(SOLD), OrderLine.resale_subtotal.is_not(None)))
    if reseller_id is not None:
        buyer = aliased(Organisation)
        statement = statement.join(buyer, buyer.id == Order.buyer_id).where((buyer.id == reseller_id) | (buyer.parent_id == reseller_id))
    rows = db.session.execute(statement.group_by(Order.currency).order_by(func.count(OrderLine.id).desc(), Order.currency)).all()
    return [row[0] for row in rows]


CSV_HEADER = ("month", "reseller", "product", "currency", "lines", "sales", "cost", "margin")


def csv_rows(selected_filter: ReportFilter, minor_unit_digits: int) -> Iterator[str]:
    """The report by month, reseller and product as CSV text chunks (a header, then rows),
    amounts in major units with the currency's decimals. The statement is built now; the rows
    are read from the database on a connection of their own while the response streams, so the
    generator needs no application context."""
    joined, reseller_id, reseller_name = _base(selected_filter)
    month = _month(Order.created_at)
    statement = joined(select(month.label("month"), reseller_name.label("reseller"), Product.name.label("product"),
                              func.count(OrderLine.id).label("lines"), func.sum(OrderLine.resale_subtotal).label("sales"),
                              func.sum(OrderLine.cost_subtotal).label("cost")))
    statement = statement.group_by(month, reseller_id, reseller_name, Product.id, Product.name).order_by(month, reseller_name, Product.name)
    return _csv(db.engine, statement, selected_filter.currency, minor_unit_digits)


def _csv(engine, statement, currency: str, digits: int) -> Iterator[str]:
    yield from csv_text((), header=CSV_HEADER)  # sent before the connection is opened
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=500).execute(statement)
        yield from csv_text((row.month, safe_cell(row.reseller), safe_cell(row.product), currency, int(row.lines),
                             plain_amount(int(row.sales or 0), digits), plain_amount(int(row.cost or 0), digits),
                             plain_amount(int(row.sales or 0) - int(row.cost or 0), digits)) for row in rows)


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    sales_height: float
    margin_height: float
    sales: int
    margin: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bar_width: float
    bars: list[Bar]
    top: int  # the largest sales amount, the top of the scale


def bar_chart(rows: list[ReportRow], width: int = 720, height: int = 240) -> Chart:
    """Geometry of a server-rendered SVG chart of sales and margin per month (no script)."""
    top = max([row.sales for row in rows] + [1])
    plot_height = height - 40
    slot = (width - 20) / max(len(rows), 1)
    bar_width = max(4.0, slot / 3)
    bars = []
    for index, row in enumerate(rows):
        x = 10 + index * slot + slot / 2 - bar_width
        bars.append(Bar(row.label, round(x, 1), round(plot_height * row.sales / top, 1),
                        round(plot_height * max(row.margin, 0) / top, 1), row.sales, row.margin))
    return Chart(width, height, height - 30, round(bar_width, 1), bars, top)

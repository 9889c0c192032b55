"""Many copies of a subscription's history, written in bulk: each copy is a new subscription
with its own orders (lines, items), invoices and billing periods, the same dates and amounts
as the original. Reconciliation tests use it to build a month of thousands of rows in seconds."""
from __future__ import annotations

from sqlalchemy import func, insert, select

from app.billing.models import Invoice
from app.extensions import db
from app.orders.models import Order, OrderLine, OrderLineItem
from app.plans.models import BillingPeriod, Subscription


def _rows(model, *criteria) -> list[dict]:
    table = model.__table__
    return [dict(row._mapping) for row in db.session.execute(select(table).where(*criteria).order_by(table.c.id))]


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(model.__table__), rows[start:start + 2000])


def multiply_history(subscription_id: int, copies: int) -> list[int]:
    """Writes ``copies`` copies of the subscription ``subscription_id`` and everything that
    charged it; returns the new subscriptions' ids. Committed."""
    (subscription,) = _rows(Subscription, Subscription.id == subscription_id)
    lines = _rows(OrderLine, OrderLine.subscription_id == subscription_id)
    orders = _rows(Order, Order.id.in_({line["order_id"] for line in lines}))
    items = _rows(OrderLineItem, OrderLineItem.order_line_id.in_([line["id"] for line in lines]))
    periods = _rows(BillingPeriod, BillingPeriod.subscription_id == subscription_id)
    invoices = _rows(Invoice, Invoice.order_id.in_([order["id"] for order in orders])
                     | Invoice.id.in_([period["invoice_id"] for period in periods if period["invoice_id"]]))
    next_ids = {model: _next_id(model) for model in (Subscription, Order, OrderLine, OrderLineItem, BillingPeriod, Invoice)}
    written: dict = {model: [] for model in next_ids}
    subscription_ids = []
    for copy in range(copies):
        ids: dict = {}

        def new(model, row, **changes):
            new_id = next_ids[model]
            next_ids[model] += 1
            ids[(model, row["id"])] = new_id
            written[model].append({**row, "id": new_id, **changes})

        new(Subscription, subscription)
        subscription_ids.append(ids[(Subscription, subscription["id"])])
        for order in orders:
            new(Order, order, number=f"{order['number']}-{copy}", idempotency_key=f"{order['idempotency_key'][:50]}-{copy}")
        for line in lines:
            new(OrderLine, line, order_id=ids[(Order, line["order_id"])], subscription_id=subscription_ids[-1])
        for item in items:
            new(OrderLineItem, item, order_line_id=ids[(OrderLine, item["order_line_id"])])
        for invoice in invoices:
            new(Invoice, invoice, number=f"{invoice['number']}-{copy}", subscription_id=subscription_ids[-1]
                if invoice["subscription_id"] else None,
                order_id=ids[(Order, invoice["order_id"])] if invoice["order_id"] else None)
        for period in periods:
            new(BillingPeriod, period, subscription_id=subscription_ids[-1],
                invoice_id=ids[(Invoice, period["invoice_id"])] if period["invoice_id"] else None)
    for model in (Subscription, Order, OrderLine, OrderLineItem, Invoice, BillingPeriod):
        _bulk(model, written[model])
    if db.engine.dialect.name == "postgresql":  # later inserts of the test must not collide with the ids written
        for model in next_ids:
            table = model.__table__.name
            db.session.execute(select(func.setval(func.pg_get_serial_sequence(f'"{table}"', "id"), next_ids[model])))
    db.session.commit()
    return subscription_ids

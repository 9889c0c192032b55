"""Read side of orders: a buyer's orders and one order with everything its page shows, each
in a fixed number of queries. Scoped to the signed-in organisation (staff see every order)."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.billing.models import Invoice
from app.extensions import db
from app.orders.models import Order, OrderLine
from app.payments.models import Payment


def _scoped(statement, organisation):
    if organisation.is_distributor:
        return statement
    return statement.where(Order.buyer_id == organisation.id)


def orders_page(organisation, page: int, per_page: int = 20):
    statement = _scoped(
        select(Order).options(selectinload(Order.lines), joinedload(Order.placed_by), joinedload(Order.buyer)),
        organisation,
    ).order_by(Order.created_at.desc(), Order.id.desc())
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def order_for(number: str, organisation) -> Order | None:
    """The order with this number if the organisation may see it (its buyer, or staff)."""
    if not number or len(number) > 30:
        return None
    statement = _scoped(select(Order).where(Order.number == number), organisation).options(
        joinedload(Order.placed_by),
        joinedload(Order.buyer),
        joinedload(Order.marketplace),
        selectinload(Order.lines).selectinload(OrderLine.items),
        selectinload(Order.lines).joinedload(OrderLine.beneficiary),
        selectinload(Order.lines).joinedload(OrderLine.subscription),
    )
    return db.session.scalar(statement)


def invoices_of(order: Order) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id)))


def own_order(number: str, organisation) -> Order:
    """The organisation's own order with this number (to pay it), else 404: staff see every
    order, but only its buyer pays it."""
    order = order_for(number, organisation)
    if order is None or order.buyer_id != organisation.id:
        abort(404)
    return order


def payment_of(order: Order):
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))

"""What the orders tell the lifecycle about the subscriptions they bought
(``app.plans.hooks``: plans sits below orders and does not import them)."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.orders.models import Order, OrderLine, OrderLineKind


def purchase_payment_method(subscription_id: int) -> str | None:
    """The payment method of the order that bought the subscription; None without one."""
    return db.session.scalar(
        select(Order.payment_method).join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.subscription_id == subscription_id, OrderLine.kind == OrderLineKind.PURCHASE.value).limit(1)
    )

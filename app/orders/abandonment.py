"""Card orders that were never paid: cancelled after ``UNPAID_ORDER_CANCEL_AFTER`` seconds.

A card order is written (and the cart emptied) before the card is charged; a buyer who leaves
at the bank's page, or whose card is declined, leaves it waiting. The scheduler's duty
``cancel_unpaid_orders`` ends each such order through one transition, ``cancel_unpaid_order``:
the payment is closed (its PaymentIntent cancelled at the provider, no new attempt may start),
the order becomes ``canceled``, its pending subscriptions end unstarted, an open invoice of it
is voided, and the buyer is told by mail.

Locks: the order's payment row first, then the order's row, the order the payment hooks take
them in; so a buyer paying at the same moment either pays first (the duty then finds the order
paid and leaves it) or finds the order cancelled and cannot pay. Each order is its own
transaction; running the duty twice, or in two processes at once, cancels and mails once.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.billing.invoicing import void_invoice
from app.billing.models import Invoice, InvoiceStatus, PaymentMethodName
from app.core.locks import locked
from app.extensions import db
from app.mail.notices import order_cancelled_unpaid
from app.orders.models import AWAITING_PAYMENT, Order, OrderPaymentStatus, OrderStatus
from app.payments.service import cancel_order_payment, lock_order_payment
from app.plans.lifecycle import withdraw_unstarted

log = logging.getLogger(__name__)


def _unpaid_since(cutoff: datetime):
    return (Order.payment_method == PaymentMethodName.CARD.value, Order.payment_status.in_(AWAITING_PAYMENT),
            Order.status == OrderStatus.PLACED.value, Order.created_at <= cutoff)


def unpaid_orders_due(now: datetime, after: timedelta) -> list[int]:
    """Ids of card orders placed at least ``after`` before ``now`` and still awaiting payment."""
    return list(db.session.scalars(select(Order.id).where(*_unpaid_since(now - after)).order_by(Order.id)))


def cancel_unpaid_order(order_id: int, now: datetime, after: timedelta) -> bool:
    """Cancel order ``order_id`` if, under its locks, it is a card order still unpaid ``after``
    its placing: its payment closed at the provider, the order ``canceled``, its pending
    subscriptions ended unstarted, its open invoices voided, the buyer mailed. True when it
    was cancelled now; False (nothing changed) when it was paid, cancelled before, not yet due,
    or its payment is under way. In the caller's transaction; not committed (on False the
    payment may have been caught up as succeeded: commit that too)."""
    order = db.session.get(Order, order_id)
    if order is None:
        return False
    payment = lock_order_payment(order.id, order.total, order.currency, now)
    order = locked(select(Order).where(Order.id == order_id, *_unpaid_since(now - after)))
    if order is None or not cancel_order_payment(payment, now):
        return False
    order.status, order.payment_status, order.canceled_at = OrderStatus.CANCELED.value, OrderPaymentStatus.CANCELED.value, now
    for line in order.lines:
        if line.subscription_id is not None:
            withdraw_unstarted(line.subscription_id, now)
    for invoice in db.session.scalars(select(Invoice).where(Invoice.order_id == order.id, Invoice.status == InvoiceStatus.OPEN.value)):
        void_invoice(invoice, now)
    order_cancelled_unpaid(order, now)
    db.session.flush()
    return True


def cancel_unpaid_orders(now: datetime) -> int:
    """The scheduler's duty: every card order unpaid ``UNPAID_ORDER_CANCEL_AFTER`` seconds after
    placing is cancelled, each in its own transaction; one order's error is logged and the
    others go on. Returns how many were cancelled."""
    after = timedelta(seconds=current_app.config["UNPAID_ORDER_CANCEL_AFTER"])
    ids = unpaid_orders_due(now, after)
    db.session.rollback()  # read only: each order starts afresh
    cancelled = 0
    for order_id in ids:
        try:
            cancelled += cancel_unpaid_order(order_id, now, after)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("order %s: cancelling it unpaid failed", order_id)
    return cancelled

"""After placing: paying a card order, and what its payment's outcome does to the order.

An order is *settled* when it is invoiced on account (at placing) or its card payment
succeeded. Settling confirms it to the buyer ("Thank you for subscribing" with the invoice) and
hands it to provisioning, exactly once: the checkout settles on-account orders in its own
transaction; card orders are settled by the payment's "succeeded" hook, which runs once per
payment under the payment's row lock, and re-checks the order's own status under the order's
row lock. Nothing here commits except ``pay_order`` (through the payments service).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from app.billing.invoicing import InvoiceMismatch, invoice_order
from app.billing.models import Invoice, InvoiceStatus, PaymentMethodName
from app.core.clock import current_now
from app.core.locks import locked
from app.extensions import db
from app.mail.notices import order_confirmed, payment_failed
from app.orders.models import Order, OrderPaymentStatus
from app.payments.errors import PaymentCanceled
from app.payments.service import start_card_payment
from app.payments.steps import PayStep, pay_step
from app.provisioning.handoff import hand_off

log = logging.getLogger(__name__)
P = OrderPaymentStatus


def release_settled_order(order: Order, invoice: Invoice | None, now: datetime) -> None:
    """The order is invoiced or paid (``invoice``: the invoice settling it issued, ``None`` when
    none could be): tell the buyer and start provisioning (in the caller's transaction; jobs
    and mails go out after its commit)."""
    order_confirmed(order, invoice, now)
    hand_off(order, now)


def mark_paid(order: Order, now: datetime) -> Invoice | None:
    """The card order is paid: its invoice is issued, paid. The money has moved, so the payment
    is recorded even if the invoice cannot be (an order whose lines do not add up to its total,
    which the checkout never writes): that is logged for staff instead of losing the payment."""
    order.payment_status, order.paid_at = P.PAID.value, now
    try:
        with db.session.begin_nested():
            return invoice_order(order, now, payment_method=PaymentMethodName.CARD.value, status=InvoiceStatus.PAID)
    except InvoiceMismatch as mismatch:
        log.error("order %s is paid but not invoiced: %s", order.number, mismatch)
        return None


def _locked_order(order_id: int) -> Order | None:
    return locked(select(Order).where(Order.id == order_id))


def on_card_payment_succeeded(order_id: int) -> None:
    """Payment hook: settle the order once (a repeated call finds it paid and does nothing)."""
    order = _locked_order(order_id)
    if order is None or order.payment_status not in (P.UNPAID.value, P.FAILED.value):
        if order is not None and order.payment_status == P.CANCELED.value:  # cancelling closes the intent first: never expected
            log.error("order %s: a payment succeeded after the order was cancelled unpaid; refund it", order.number)
        else:
            log.info("order %s: payment succeeded, order already %s", order_id, order.payment_status if order else "missing")
        return
    now = current_now()
    release_settled_order(order, mark_paid(order, now), now)


def on_card_payment_failed(order_id: int, message: str) -> None:
    """Payment hook: the order stays payable; the buyer is told why (once per attempt)."""
    order = _locked_order(order_id)
    if order is None or order.payment_status not in (P.UNPAID.value, P.FAILED.value):
        return
    order.payment_status = P.FAILED.value
    payment_failed(order, message, current_now())


def on_card_payment_refunded(order_id: int) -> None:
    order = _locked_order(order_id)
    if order is not None and order.payment_status == P.PAID.value:
        order.payment_status = P.REFUNDED.value


def pay_order(order: Order, seen_attempts: int = 0, now: datetime | None = None) -> PayStep:
    """Charge a card order that awaits payment to its buyer's saved card, once per attempt
    (``seen_attempts``: the attempts the buyer saw fail; see ``start_card_payment``). Commits."""
    if order.payment_status == P.CANCELED.value:
        return PayStep("canceled", PaymentCanceled.message)
    if not order.awaits_payment or order.payment_method != PaymentMethodName.CARD.value:
        return PayStep("paid")
    return pay_step(lambda: start_card_payment(order.id, order.total, order.currency, order.buyer,
                                               seen_attempts=seen_attempts, now=now))

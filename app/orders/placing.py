"""What every placing of an order shares, purchases (``app.orders.checkout``) and changes
(``app.orders.change_lines``) alike: the one order writer and the one idempotent skeleton.

The skeleton: look the idempotency key up (a replay returns the order placed first) -> check
(reads only, may refuse) -> lock the paying organisation's row -> look the key up again under
the lock (a racing submit placed it meanwhile) -> place (write the order and its lines, settle)
-> commit. A refusal or any error rolls everything back; the key's unique index catches a
submit that slipped past the lock (then the first order is returned, or ``IdempotencyConflict``
when the key belongs to something else).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Organisation
from app.core.errors import Refusal, RefusalKind
from app.core.locks import locked_one
from app.core.numbering import next_number
from app.extensions import db
from app.orders.models import Order, OrderLine, OrderLineItem, OrderStatus
from app.orders.quote import Quote
from app.webhooks.events import emit
from app.webhooks.shapes import order_shape

Checked = TypeVar("Checked")
Placed = TypeVar("Placed")


class CheckoutError(Refusal):
    """The order was not placed; ``message`` (``buyer_message``) says why."""


class IdempotencyConflict(CheckoutError):
    """The form's idempotency key was used by another placing."""

    kind = RefusalKind.CONFLICT


_KEY_MISSES = "orders.idempotency_key_misses"  # in ``Session.info``: (transaction, {(buyer id, key)})


def find_order(buyer_id: int, idempotency_key: str, *, fresh: bool = False) -> Order | None:
    """The order ``buyer_id`` placed under ``idempotency_key``, or None.

    A miss is remembered until the transaction ends: a view that looks the key up to redirect a
    resubmitted form, then places, makes one query, not two. ``fresh`` always asks the database:
    the look-up under the payer's lock, the one that makes a key place one order, is fresh."""
    session = db.session()
    remembered = session.info.get(_KEY_MISSES)
    wanted = (buyer_id, idempotency_key)
    if not fresh and remembered is not None and remembered[0] is session.get_transaction() and wanted in remembered[1]:
        return None
    order = session.scalar(select(Order).where(Order.idempotency_key == idempotency_key, Order.buyer_id == buyer_id))
    transaction = session.get_transaction()
    if order is None and transaction is not None:
        if remembered is None or remembered[0] is not transaction:
            remembered = session.info[_KEY_MISSES] = (transaction, set())
        remembered[1].add(wanted)
    return order


def lock_organisation(organisation_id: int) -> Organisation:
    """The paying organisation's row, locked until the transaction ends (PostgreSQL)."""
    return locked_one(select(Organisation).where(Organisation.id == organisation_id))


def place_idempotently(payer_id: int, idempotency_key: str, *, check: Callable[[], Checked],
                       place: Callable[[Organisation, Checked], Placed], found: Callable[[Order], Placed],
                       conflict_message: str) -> Placed:
    """Runs the skeleton of the module's docstring and commits, or raises and leaves nothing
    behind. ``check()`` runs before the lock and writes nothing (its refusals roll nothing back); ``place(payer, checked)``
    runs with the payer's row locked; ``found(order)`` makes the answer for an order this key
    placed already. The same key always gives the order it placed first.

    The first look-up costs no query when the caller looked the key up in this transaction
    already and found nothing (``find_order`` remembers); the one under the lock always asks."""
    existing = find_order(payer_id, idempotency_key)
    if existing is not None:
        return found(existing)
    checked = check()
    try:
        payer = lock_organisation(payer_id)
        existing = find_order(payer.id, idempotency_key, fresh=True)
        if existing is not None:
            db.session.rollback()  # releases the lock; the order placed by the first submit
            return found(existing)
        placed = place(payer, checked)
        db.session.commit()
        return placed
    except IntegrityError:
        db.session.rollback()
        existing = find_order(payer_id, idempotency_key, fresh=True)
        if existing is None:
            raise IdempotencyConflict(conflict_message) from None
        return found(existing)
    except BaseException:
        db.session.rollback()
        raise


@dataclass(frozen=True)
class OrderHeader:
    """Who places what: everything of an order that is not its quote or its lines."""

    buyer_id: int
    placed_by: object | None  # the user
    marketplace_id: int
    payment_method: str
    idempotency_key: str
    fingerprint: str  # of the quote the buyer confirmed
    terms_acceptance: list[dict] = field(default_factory=list)
    payment_status: str | None = None  # None: the model's default (set by the payment method)


def write_order(header: OrderHeader, quote: Quote, lines: Callable[[], Iterable[OrderLine]], now: datetime) -> Order:
    """The one order writer: an order numbered now with the quote's amounts as charged, and the
    lines ``lines()`` builds (made after the number is drawn), numbered from 1. Flushed, not
    committed."""
    order = Order(
        number=next_number("ORD", now), buyer_id=header.buyer_id, placed_by=header.placed_by,
        marketplace_id=header.marketplace_id, currency=quote.currency, status=OrderStatus.PLACED.value,
        subtotal=quote.subtotal, tax=quote.tax, total=quote.total, tax_rate_bp=quote.tax_rate_bp,
        reverse_charge=quote.reverse_charge, payment_method=header.payment_method,
        idempotency_key=header.idempotency_key, quote_fingerprint=header.fingerprint,
        terms_acceptance=list(header.terms_acceptance), created_at=now,
        lines=[],  # a new order has none: appending below never loads the collection
    )
    if header.payment_status is not None:
        order.payment_status = header.payment_status
    db.session.add(order)
    for position, line in enumerate(lines(), start=1):
        line.position = position
        order.lines.append(line)
    db.session.flush()
    emit("order.placed", [order.buyer_id], order_shape(order), now)
    return order


def frozen_items(priced) -> list[OrderLineItem]:
    """A quote line's items as charged, frozen on the order line."""
    return [
        OrderLineItem(position=index, description=item.description, resource_code=item.resource_code,
                      unit_price=item.unit_price, quantity=item.quantity,
                      period_fraction=str(item.period_fraction) if item.period_fraction is not None else "",
                      one_time=item.one_time, billed_later=item.billed_later, subtotal=item.subtotal)
        for index, item in enumerate(priced.items, start=1)
    ]

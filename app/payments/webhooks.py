"""Provider events, applied once each: a dict from event type to handler.

The event id is stored (unique) in the same transaction as the event's effect: a repeated
delivery finds it and does nothing, and an effect that fails rolls the id back so the provider's
next delivery tries again. Handlers re-read the intent from the provider rather than trusting
the event's copy, so late or out-of-order events cannot move a payment backwards.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from app.core.locks import insert_if_absent
from app.extensions import db
from app.payments.gateway import WebhookEvent
from app.payments.models import ProcessedWebhookEvent
from app.payments.service import apply_intent_update, apply_refund_update

log = logging.getLogger(__name__)


def _order_id(metadata: dict | None) -> int | None:
    value = (metadata or {}).get("order_id")
    return int(value) if value and str(value).isdigit() else None


def _payment_intent_changed(event: WebhookEvent, now: datetime) -> str:
    return apply_intent_update(event.object["id"], _order_id(event.object.get("metadata")), now)


def _charge_refunded(event: WebhookEvent, now: datetime) -> str:
    intent_id = event.object.get("payment_intent")
    if not intent_id:
        return "refund of a charge without a payment intent"
    return apply_refund_update(intent_id, int(event.object.get("amount_refunded") or 0), now)


EVENT_HANDLERS: dict[str, Callable[[WebhookEvent, datetime], str]] = {
    "payment_intent.succeeded": _payment_intent_changed,
    "payment_intent.payment_failed": _payment_intent_changed,
    "charge.refunded": _charge_refunded,
}


def handle_event(event: WebhookEvent, now: datetime) -> str:
    """Apply a verified event once; returns what happened (for the log and the response).
    Commits; an exception rolls everything back, event id included."""
    handler = EVENT_HANDLERS.get(event.type)
    if handler is None:
        log.info("stripe event %s of type %s: not handled", event.id, event.type)
        return "ignored"
    try:
        if not insert_if_absent(ProcessedWebhookEvent, {"event_id": event.id, "type": event.type, "received_at": now}, key="event_id"):
            db.session.rollback()
            log.info("stripe event %s (%s): already processed", event.id, event.type)
            return "duplicate"
        result = handler(event, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("stripe event %s (%s): %s", event.id, event.type, result)
    return result

"""Subscription events (``app.webhooks``), recorded by the lifecycle services in their own
transaction: one function so every service announces the same snapshot to the same readers."""
from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.webhooks.events import emit
from app.webhooks.shapes import subscription_shape


def announce(event_type: str, subscription, now: datetime) -> None:
    """Records ``event_type`` about ``subscription`` (flushed first) for its owner, its payer
    and their reseller, in the caller's transaction."""
    db.session.flush()
    emit(event_type, [subscription.owner_id, subscription.payer_id], subscription_shape(subscription), now)

"""How long events are kept: ``EVENT_RETENTION_DAYS`` (30 by default), then an hourly scheduler
duty deletes them with their finished deliveries, in batches, each batch committed (a long purge
never holds one long transaction). An event that a delivery still has to send (pending: its first
attempt or a retry, or redelivered by an admin) stays until that delivery is delivered or has
failed; the next run then takes it."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app.extensions import db
from app.webhooks.models import DeliveryState, Event, WebhookDelivery

BATCH = 1000


def _delivery_of_event(*criteria):
    return select(WebhookDelivery.id).where(WebhookDelivery.event_id == Event.id, *criteria).exists()


def purge_old_events(now: datetime, kept_for: timedelta, batch: int = BATCH) -> int:
    """Deletes the events created before ``now - kept_for`` and their delivered or failed
    deliveries, ``batch`` events per transaction; keeps those with a pending delivery. Commits;
    returns how many events were deleted."""
    pending = WebhookDelivery.state == DeliveryState.PENDING.value
    deleted, after = 0, 0
    while True:
        ids = db.session.scalars(select(Event.id).where(Event.created_at < now - kept_for, Event.id > after,
                                                        ~_delivery_of_event(pending)).order_by(Event.id).limit(batch)).all()
        if not ids:
            return deleted
        db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(ids), ~pending)
                           .execution_options(synchronize_session=False))
        # Checked again in the statement: a delivery redelivered meanwhile keeps its event.
        deleted += db.session.execute(delete(Event).where(Event.id.in_(ids), ~_delivery_of_event())
                                      .execution_options(synchronize_session=False)).rowcount or 0
        db.session.commit()
        after = ids[-1]

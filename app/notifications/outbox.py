"""Recording notifications: written in the caller's transaction, so a message exists exactly
when the change it announces was committed."""
from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.notifications.models import OutboxMessage


def queue_notification(kind: str, recipient: str, subject: str, body: str, context: dict | None = None,
                       now: datetime | None = None) -> OutboxMessage:
    """Adds an unsent message to the outbox in the current session (the caller commits)."""
    from app.accounts.services import utcnow

    message = OutboxMessage(kind=kind, recipient=recipient[:254], subject=subject[:200], body=body,
                            context=context or {}, created_at=now or utcnow())
    db.session.add(message)
    return message

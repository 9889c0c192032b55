"""Recording notifications: written in the caller's transaction, so a message exists exactly
when the change it announces was committed; the mail job sends it after the commit."""
from __future__ import annotations

from datetime import datetime

from app.core.clock import current_now


def queue_notification(kind: str, recipient: str, subject: str, body: str, context: dict | None = None,
                       now: datetime | None = None, event_key: str | None = None) -> int | None:
    """Adds an unsent plain-text message to the outbox in the current session (the caller
    commits); with ``event_key``, only once per (kind, event, recipient). Returns its id, or
    ``None`` when it was queued before. Marketplace e-mails with their own templates are in
    ``app.mail.notices``."""
    from app.mail.outbox import queue_plain

    return queue_plain(kind, recipient, subject, body, context=context, now=now or current_now(), event_key=event_key)

"""Notifications: messages recorded in an outbox, sent by a mailer later (the e-mail issue)."""
from app.notifications.outbox import queue_notification  # noqa: F401

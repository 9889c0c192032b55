"""The outbox: every message the marketplace sends, kept (and readable by staff) for good.

A row is written in the transaction of the change it announces; a mail job sends it after the
commit and records the outcome. ``dedup_key`` (kind, the event's subject, the recipient) is
unique, so a repeated hook or an at-least-once job never queues the same message twice.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"  # waiting for the mail job (or its next retry)
    SENT = "sent"  # handed to the SMTP server
    KEPT = "kept"  # MAIL_BACKEND "outbox": kept here only, not sent
    REFUSED = "refused"  # the server refused every recipient: retrying cannot help


class OutboxMessage(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)  # "new_subscription", "provisioning_failed", ...
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # the plain-text part
    html: Mapped[str] = mapped_column(Text, default="", server_default="")
    context: Mapped[dict] = mapped_column(JSON, default=dict)  # ids a mailer or a template may need; "attachments"
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING.value,
                                        server_default=DeliveryStatus.PENDING.value, index=True)
    message_id: Mapped[str] = mapped_column(String(200), default="", server_default="")  # the same on every retry
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    claimed_until: Mapped[datetime | None] = mapped_column()  # a job is sending it until then
    created_at: Mapped[datetime] = mapped_column(index=True)  # the outbox lists newest first
    sent_at: Mapped[datetime | None] = mapped_column(index=True)

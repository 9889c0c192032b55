"""Events and their webhook deliveries.

An ``Event`` is one thing that happened, as one organisation sees it: the same cause writes one
row per organisation that may see it (the buyer or owner, and that organisation's reseller), so
each tenant's event list is a plain filter on ``organisation_id`` and each row has its own
public id. ``data`` is a snapshot of the resource at the time, in the API's shape.

A ``WebhookEndpoint`` is a URL an organisation's admin registered with the event types it
wants. A ``WebhookDelivery`` is one (event, endpoint) pair: its state, its attempts and when the
next one is due; it is the row that records the delivery job's state.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Event(db.Model):
    __table_args__ = (Index("ix_event_organisation_id_id", "organisation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)  # evt_...
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # who sees it
    type: Mapped[str] = mapped_column(String(40), index=True)  # "order.placed", ...
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the resource as it was
    created_at: Mapped[datetime] = mapped_column()


class EndpointStatus(str, enum.Enum):
    ENABLED = "enabled"
    DISABLED = "disabled"  # by an admin, or after failing for the whole retry window


class WebhookEndpoint(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    event_types: Mapped[list] = mapped_column(JSON, default=list)  # the types it is sent
    secret: Mapped[str] = mapped_column(String(80))  # whsec_..., shown once when created
    status: Mapped[str] = mapped_column(String(20), default=EndpointStatus.ENABLED.value)
    disabled_reason: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column()
    disabled_at: Mapped[datetime | None] = mapped_column()

    @property
    def enabled(self) -> bool:
        return self.status == EndpointStatus.ENABLED.value


class DeliveryState(str, enum.Enum):
    PENDING = "pending"  # waiting for its job (first attempt or a retry)
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # gave up after the retry window (or the endpoint went away)


class WebhookDelivery(db.Model):
    __table_args__ = (UniqueConstraint("event_id", "endpoint_id"),
                      Index("ix_webhook_delivery_state_next", "state", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=DeliveryState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    claimed_until: Mapped[datetime | None] = mapped_column()  # a job is sending it until then
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(String(500), default="")
    last_response: Mapped[str] = mapped_column(Text, default="")  # the first 1,000 characters
    delivered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    redelivered_at: Mapped[datetime | None] = mapped_column()  # an admin asked again: the retry window restarts

    @property
    def window_start(self) -> datetime:
        return self.redelivered_at or self.created_at

    event: Mapped[Event] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()

"""The event store: what happened, written in the transaction of its cause.

``emit(type, organisation_ids, data, now)`` is called by the service that makes the change
(order placing, provisioning outcomes, the lifecycle, invoicing), so panels, the API and jobs
all emit the same events. It writes one ``Event`` row per organisation that may see it (each
given organisation and, when its parent is a reseller, that reseller), and one pending
``WebhookDelivery`` per enabled endpoint of that organisation subscribed to the type. The
deliveries' jobs are enqueued after the commit (``app.webhooks.dispatch``); a rollback forgets
the event, its deliveries and their jobs together. Nothing here commits.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from app.accounts.models import Organisation, OrganisationKind
from app.extensions import db
from app.webhooks.dispatch import note_deliveries
from app.webhooks.models import DeliveryState, EndpointStatus, Event, WebhookDelivery, WebhookEndpoint

EVENT_TYPES: dict[str, str] = {
    "order.placed": "An order was placed",
    "order.completed": "Every line of an order was provisioned",
    "order.failed": "An order's provisioning failed",
    "subscription.activated": "A subscription became active",
    "subscription.changed": "A subscription's quantities changed or a change was scheduled",
    "subscription.canceled": "A subscription was cancelled",
    "subscription.resumed": "A subscription was resumed",
    "subscription.renewed": "A subscription started a new period",
    "subscription.suspended": "A subscription was suspended for an unpaid invoice",
    "invoice.issued": "An invoice was issued",
    "invoice.paid": "An invoice was paid",
    "fulfillment.inquiring": "The vendor needs an answer to go on",
}
TEST_EVENT_TYPE = "webhook.test"


def new_public_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


def recipients(organisation_ids: Iterable[int | None]) -> list[int]:
    """The given organisations and the resellers above them (never the distributor), sorted."""
    ids = {organisation_id for organisation_id in organisation_ids if organisation_id}
    if not ids:
        return []
    Parent = db.aliased(Organisation)
    parents = db.session.scalars(
        select(Parent.id).join(Organisation, Organisation.parent_id == Parent.id)
        .where(Organisation.id.in_(ids), Parent.kind == OrganisationKind.RESELLER.value))
    return sorted(ids | set(parents))


def emit(event_type: str, organisation_ids: Iterable[int | None], data: dict, now: datetime) -> list[Event]:
    """Records ``event_type`` with the snapshot ``data`` for every recipient of
    ``organisation_ids`` and queues its webhook deliveries (after the commit). In the caller's
    transaction; flushed, not committed."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    events = [Event(public_id=new_public_id(), organisation_id=organisation_id, type=event_type, data=data, created_at=now)
              for organisation_id in recipients(organisation_ids)]
    if not events:
        return []
    db.session.add_all(events)
    db.session.flush()
    by_organisation = {event.organisation_id: event for event in events}
    endpoints = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id.in_(by_organisation), WebhookEndpoint.status == EndpointStatus.ENABLED.value)
        .order_by(WebhookEndpoint.id))
    deliveries = [new_delivery(by_organisation[endpoint.organisation_id], endpoint, now)
                  for endpoint in endpoints if event_type in (endpoint.event_types or [])]
    if deliveries:
        db.session.add_all(deliveries)
        db.session.flush()
        note_deliveries([delivery.id for delivery in deliveries])
    return events


def new_delivery(event: Event, endpoint: WebhookEndpoint, now: datetime) -> WebhookDelivery:
    return WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, state=DeliveryState.PENDING.value, attempts=0,
                           next_attempt_at=now, last_error="", last_response="", created_at=now)


def events_since(organisation, starting_after: str | None = None, limit: int = 20, types: Iterable[str] = ()) -> tuple[list[Event], bool]:
    """``organisation``'s events, oldest first, after the one whose public id is
    ``starting_after`` (from the start without it): at most ``limit`` (1..100) and whether more
    follow. An unknown or another tenant's ``starting_after`` raises ``LookupError``."""
    limit = max(1, min(int(limit), 100))
    query = select(Event).where(Event.organisation_id == organisation.id)
    if starting_after:
        cursor = db.session.scalar(select(Event.id).where(Event.public_id == starting_after,
                                                          Event.organisation_id == organisation.id))
        if cursor is None:
            raise LookupError(f"No event {starting_after!r}.")
        query = query.where(Event.id > cursor)
    types = [event_type for event_type in types if event_type]
    if types:
        query = query.where(Event.type.in_(types))
    rows = list(db.session.scalars(query.order_by(Event.id).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def event_document(event: Event) -> dict:
    """The JSON an endpoint receives (and the API will list): Stripe-like."""
    from app.webhooks.shapes import timestamp

    return {"id": event.public_id, "object": "event", "type": event.type, "created": timestamp(event.created_at),
            "organisation_id": event.organisation_id, "data": {"object": event.data}}

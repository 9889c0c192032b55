"""Managing an organisation's webhook endpoints: register (the secret is returned once),
enable, disable, delete, send a test event, redeliver, and the paged lists the panels show.

Every function takes the organisation the panel acts for and finds the endpoint within it
(another organisation's id is "not found"); refusals are ``WebhookRefused`` and change nothing.
Nothing here commits.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select

from flask import current_app

from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.webhooks.addresses import address_refusal
from app.webhooks.dispatch import note_deliveries
from app.webhooks.events import EVENT_TYPES, TEST_EVENT_TYPE, new_delivery, new_public_id
from app.webhooks.models import DeliveryState, EndpointStatus, Event, WebhookDelivery, WebhookEndpoint

MAX_ENDPOINTS = 16  # per organisation
MAX_URL_LENGTH = 500


class WebhookRefused(Refusal):
    kind = RefusalKind.INVALID


def validate_url(raw: str) -> str:
    """The URL as registered: http or https, a host (a public address: ``addresses``), no user
    name or password, no fragment.
    Raises ``WebhookRefused`` with the reason otherwise."""
    url = (raw or "").strip()
    if not url:
        raise WebhookRefused("Enter the URL that receives the events.")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookRefused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise WebhookRefused("The URL may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number or out of range
    except ValueError:
        raise WebhookRefused("This is not a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookRefused("The URL must start with http:// or https://.")
    if not parts.hostname:
        raise WebhookRefused("The URL must name a host.")
    if parts.username is not None or parts.password is not None:
        raise WebhookRefused("The URL may not carry a user name or password: check the signature instead.")
    if parts.fragment:
        raise WebhookRefused("The URL may not have a #fragment.")
    del port
    refusal = address_refusal(parts.hostname, current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"])
    if refusal:
        raise WebhookRefused(refusal)
    return url


def validate_event_types(chosen) -> list[str]:
    types = sorted({event_type for event_type in chosen or () if event_type})
    unknown = [event_type for event_type in types if event_type not in EVENT_TYPES]
    if unknown:
        raise WebhookRefused(f"Unknown event type: {', '.join(unknown)}.")
    if not types:
        raise WebhookRefused("Choose at least one event to send.")
    return types


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def register_endpoint(organisation, url: str, event_types, description: str, *, user, now: datetime) -> WebhookEndpoint:
    """A new enabled endpoint of ``organisation`` with a fresh ``whsec_`` secret (the caller
    shows ``endpoint.secret`` once). Refuses a bad URL, no or unknown events, too many endpoints."""
    url, types = validate_url(url), validate_event_types(event_types)
    count = db.session.scalar(select(func.count(WebhookEndpoint.id)).where(WebhookEndpoint.organisation_id == organisation.id))
    if count >= MAX_ENDPOINTS:
        raise WebhookRefused(f"An organisation has at most {MAX_ENDPOINTS} endpoints: delete one first.", kind=RefusalKind.CONFLICT)
    endpoint = WebhookEndpoint(organisation_id=organisation.id, url=url, description=(description or "").strip()[:200],
                               event_types=types, secret=new_secret(), status=EndpointStatus.ENABLED.value,
                               disabled_reason="", created_by_id=getattr(user, "id", None), created_at=now)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def endpoint_of(organisation, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id,
                                                               WebhookEndpoint.organisation_id == organisation.id))
    if endpoint is None:
        raise WebhookRefused("No such webhook endpoint.", kind=RefusalKind.NOT_FOUND)
    return endpoint


def set_enabled(organisation, endpoint_id: int, enabled: bool, now: datetime) -> WebhookEndpoint:
    """Enables or disables the endpoint. Disabled, it is sent nothing (new events make no
    deliveries; pending ones fail when their job runs); enabled again, new events flow and
    failed deliveries can be redelivered."""
    endpoint = endpoint_of(organisation, endpoint_id)
    if enabled:
        endpoint.status, endpoint.disabled_reason, endpoint.disabled_at = EndpointStatus.ENABLED.value, "", None
    elif endpoint.enabled:
        endpoint.status, endpoint.disabled_reason, endpoint.disabled_at = EndpointStatus.DISABLED.value, "Disabled by an administrator.", now
    db.session.flush()
    return endpoint


def delete_endpoint(organisation, endpoint_id: int) -> str:
    """Deletes the endpoint and its delivery log; returns its URL."""
    endpoint = endpoint_of(organisation, endpoint_id)
    url = endpoint.url
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()
    return url


def _require_enabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise WebhookRefused("This endpoint is disabled: enable it first.", kind=RefusalKind.CONFLICT)


def send_test_event(organisation, endpoint_id: int, now: datetime) -> WebhookDelivery:
    """A ``webhook.test`` event delivered to this endpoint only (after the commit)."""
    endpoint = endpoint_of(organisation, endpoint_id)
    _require_enabled(endpoint)
    event = Event(public_id=new_public_id(), organisation_id=organisation.id, type=TEST_EVENT_TYPE, created_at=now,
                  data={"object": "webhook_test", "endpoint_id": endpoint.id, "message": "A test event from the marketplace."})
    db.session.add(event)
    db.session.flush()
    delivery = new_delivery(event, endpoint, now)
    db.session.add(delivery)
    db.session.flush()
    note_deliveries([delivery.id])
    return delivery


def redeliver(organisation, endpoint_id: int, delivery_id: int, now: datetime) -> WebhookDelivery:
    """Sends the delivery again now (after the commit), whatever its state; its retry window
    starts again."""
    endpoint = endpoint_of(organisation, endpoint_id)
    _require_enabled(endpoint)
    delivery = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                               WebhookDelivery.endpoint_id == endpoint.id))
    if delivery is None:
        raise WebhookRefused("No such delivery.", kind=RefusalKind.NOT_FOUND)
    if delivery.state == DeliveryState.PENDING.value and delivery.claimed_until is not None and delivery.claimed_until > now:
        raise WebhookRefused("This delivery is being sent right now.", kind=RefusalKind.CONFLICT)
    delivery.state, delivery.next_attempt_at, delivery.redelivered_at = DeliveryState.PENDING.value, now, now
    db.session.flush()
    note_deliveries([delivery.id])
    return delivery


def endpoints_listing(organisation):
    """The organisation's endpoints, newest first (a select for ``db.paginate``)."""
    return select(WebhookEndpoint).where(WebhookEndpoint.organisation_id == organisation.id).order_by(WebhookEndpoint.id.desc())


def deliveries_listing(endpoint: WebhookEndpoint, state: str | None = None):
    """The endpoint's deliveries with their events, newest first (a select for ``db.paginate``;
    the event is joined in the same query)."""
    from sqlalchemy.orm import contains_eager

    query = (select(WebhookDelivery).join(WebhookDelivery.event).options(contains_eager(WebhookDelivery.event))
             .where(WebhookDelivery.endpoint_id == endpoint.id))
    if state:
        query = query.where(WebhookDelivery.state == state)
    return query.order_by(WebhookDelivery.id.desc())

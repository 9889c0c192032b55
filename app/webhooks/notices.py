"""The e-mail an organisation's admins get when one of its webhook endpoints is disabled."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.accounts.models import Role, User
from app.extensions import db
from app.mail.outbox import queue_plain


def endpoint_disabled(endpoint, now: datetime) -> int:
    """Queues the message to every enabled admin of the endpoint's organisation (once per
    disabling); returns how many were queued."""
    admins = db.session.scalars(select(User.email).where(
        User.organisation_id == endpoint.organisation_id, User.role == Role.ADMIN.value, User.is_enabled.is_(True))
        .order_by(User.id))
    body = (f"Deliveries to your webhook endpoint {endpoint.url} failed for three days, so we disabled it.\n\n"
            f"Last reason: {endpoint.disabled_reason}\n\n"
            "Fix the receiver, then enable the endpoint again on the Webhooks page of your panel and "
            "redeliver the failed events from its delivery log.")
    queued = 0
    for email in admins:
        if queue_plain("webhook_endpoint_disabled", email, "A webhook endpoint was disabled", body,
                       context={"endpoint_id": endpoint.id}, now=now,
                       event_key=f"endpoint:{endpoint.id}:{now:%Y%m%dT%H%M%S}") is not None:
            queued += 1
    return queued

"""Delivering one event to one endpoint, from a job: claim, POST signed, record, plan the retry.

The claim is one guarded UPDATE (pending, not claimed by a live job): of two jobs for the same
delivery only one sends. No transaction stays open while the receiver answers. The POST goes to
the registered URL only: redirects are not followed, proxies are not used, and it times out
after ``WEBHOOK_DELIVERY_TIMEOUT`` seconds; a URL that now resolves to a private address is not
called (``addresses``). A 2xx answer delivers; anything else is retried
after ``WEBHOOK_RETRY_DELAYS`` (the last one repeating) until ``WEBHOOK_RETRY_WINDOW`` seconds
after the event; then the delivery fails, the endpoint is disabled and the organisation's
admins are e-mailed.
"""
from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.webhooks.addresses import address_refusal
from app.webhooks.events import event_document
from app.webhooks.models import DeliveryState, EndpointStatus, WebhookDelivery, WebhookEndpoint
from app.webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, signature_header

log = logging.getLogger(__name__)
D = WebhookDelivery
CLAIM_SECONDS = 60  # longer than a POST with its timeout
USER_AGENT = "CloudMarketplace-Webhooks/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer like any other non-2xx: only the registered URL is called


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def payload_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(event_document(delivery.event), sort_keys=True, separators=(",", ":")).encode()


def post(url: str, body: bytes, headers: dict, timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Answer(response.status, response.read(1000).decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Answer(error.code, (error.read(1000) or b"").decode("utf-8", "replace"), f"HTTP {error.code}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Answer(None, "", f"{type(error).__name__}: {getattr(error, 'reason', error)}")


def claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    claimed = db.session.execute(
        update(D).where(D.id == delivery_id, D.state == DeliveryState.PENDING.value,
                        or_(D.claimed_until.is_(None), D.claimed_until < now))
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=D.attempts + 1, last_attempt_at=now)
    ).rowcount
    db.session.commit()
    return db.session.get(D, delivery_id) if claimed else None


def retry_delay(attempts: int, delays) -> float:
    """Seconds to wait after ``attempts`` failed attempts: the schedule's entry, the last one
    once the schedule runs out."""
    delays = list(delays)
    return float(delays[min(attempts, len(delays)) - 1]) if attempts > 0 else 0.0


def deliver(delivery_id: int, now: datetime) -> tuple[str, float | None]:
    """Sends delivery ``delivery_id`` once: ("delivered" | "retry" | "failed" | "nothing to do",
    seconds until the retry or None)."""
    delivery = claim(delivery_id, now)
    if delivery is None:
        return "nothing to do", None
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        _finish(delivery_id, now, state=DeliveryState.FAILED, error="The endpoint is disabled.")
        return "failed", None
    config = current_app.config
    body = payload_of(delivery)
    # The receiver checks the timestamp against its own wall clock: sign with the real time.
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, EVENT_ID_HEADER: delivery.event.public_id,
               SIGNATURE_HEADER: signature_header(endpoint.secret, body, int(time.time()))}
    url, attempts, window_start = endpoint.url, delivery.attempts, delivery.window_start
    db.session.commit()  # no transaction open while the receiver answers
    refusal = address_refusal(urlsplit(url).hostname or "", config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"])
    answer = Answer(None, "", refusal) if refusal else post(url, body, headers, config["WEBHOOK_DELIVERY_TIMEOUT"])
    if answer.ok:
        _finish(delivery_id, now, state=DeliveryState.DELIVERED, answer=answer)
        return "delivered", None
    delay = retry_delay(attempts, config["WEBHOOK_RETRY_DELAYS"])
    if now + timedelta(seconds=delay) > window_start + timedelta(seconds=config["WEBHOOK_RETRY_WINDOW"]):
        _finish(delivery_id, now, state=DeliveryState.FAILED, answer=answer)
        give_up(delivery_id, now)
        return "failed", None
    _finish(delivery_id, now, state=DeliveryState.PENDING, answer=answer, next_attempt_at=now + timedelta(seconds=delay))
    return "retry", delay


def _finish(delivery_id: int, now: datetime, *, state: DeliveryState, answer: Answer | None = None, error: str = "",
            next_attempt_at: datetime | None = None) -> None:
    values = {"state": state.value, "claimed_until": None, "next_attempt_at": next_attempt_at}
    if answer is not None:
        values.update(last_status_code=answer.status_code, last_response=answer.body[:1000],
                      last_error=(answer.error or ("" if answer.ok else f"HTTP {answer.status_code}"))[:500])
    elif error:
        values["last_error"] = error[:500]
    if state is DeliveryState.DELIVERED:
        values["delivered_at"] = now
    db.session.execute(update(D).where(D.id == delivery_id).values(**values))
    db.session.commit()


def give_up(delivery_id: int, now: datetime) -> None:
    """The retry window is over: the endpoint is disabled (once) and its admins are told."""
    from app.webhooks.notices import endpoint_disabled

    endpoint_id = db.session.scalar(select(D.endpoint_id).where(D.id == delivery_id))
    disabled = db.session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.status == EndpointStatus.ENABLED.value)
        .values(status=EndpointStatus.DISABLED.value, disabled_at=now,
                disabled_reason="Deliveries failed for the whole retry window.")).rowcount
    if disabled:
        endpoint_disabled(db.session.get(WebhookEndpoint, endpoint_id), now)
    db.session.commit()


def due_deliveries(now: datetime, grace: timedelta, limit: int = 500) -> list[int]:
    """Pending deliveries due more than ``grace`` ago that no job is sending (their job was lost,
    or Redis was down when they were written)."""
    return list(db.session.scalars(select(D.id).where(
        D.state == DeliveryState.PENDING.value, D.next_attempt_at <= now - grace,
        or_(D.claimed_until.is_(None), D.claimed_until < now)).order_by(D.id).limit(limit)))

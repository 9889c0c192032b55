"""The signature of the webhooks the marketplace sends, and how a receiver checks it.

Every delivery is a POST of a JSON event with these headers:

- ``Marketplace-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``
  (the scheme Stripe uses; more than one ``v1`` may appear while a secret is rolled);
- ``Marketplace-Event-Id: evt_...``: the same on every retry of the event, to de-duplicate.

A receiver verifies with ``verify_signature(payload, header, secret)``: the raw body as
received (bytes, before any JSON parsing), the header, and the endpoint's ``whsec_...`` secret.
A body changed by anyone who does not hold the secret fails (forged); a delivery captured and
sent again more than ``tolerance`` seconds later fails too (replayed). Pure functions.
"""
from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Marketplace-Signature"
EVENT_ID_HEADER = "Marketplace-Event-Id"
DEFAULT_TOLERANCE = 300


class WebhookSignatureError(Exception):
    """The signature is missing, malformed, does not match, or is too old (a replay)."""


def compute_signature(secret: str, timestamp: int, payload: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


def signature_header(secret: str, payload: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={compute_signature(secret, timestamp, payload)}"


def verify_signature(payload: bytes | str, header: str | None, secret: str, tolerance: int = DEFAULT_TOLERANCE,
                     now: int | None = None) -> int:
    """Returns the signed timestamp when ``header`` signs ``payload`` with ``secret`` and is no
    more than ``tolerance`` seconds from ``now`` (default: the system clock); raises
    ``WebhookSignatureError`` otherwise. ``tolerance`` must be positive: a check without a
    time limit would accept replays."""
    if tolerance <= 0:
        raise ValueError("tolerance must be positive: without it a captured delivery could be replayed")
    if not secret:
        raise WebhookSignatureError("No secret to check the signature with.")
    body = payload.encode() if isinstance(payload, str) else payload
    timestamp, candidates = None, []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookSignatureError("The signature header is missing or malformed.")
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookSignatureError("The signature's timestamp is outside the tolerance (a replayed delivery?).")
    expected = compute_signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookSignatureError("The signature does not match the payload.")
    return timestamp

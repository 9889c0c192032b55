"""HMAC-SHA256 signatures between the marketplace and vendors, both directions.

The signed text is ``timestamp + "." + body``; the header reads ``t=<unix seconds>,v1=<hex>``.
A signature older (or newer) than the tolerance is refused, so a captured request cannot be
replayed later. Pure functions: the vendor simulator uses them too.
"""
from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Marketplace-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The signature is missing, malformed, wrong or stale."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Returns when ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of
    ``now``; raises ``SignatureError`` otherwise."""
    if not secret:
        raise SignatureError("No secret is configured.")
    timestamp, signatures = None, []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("The signature header is missing or malformed.")
    if abs(now - timestamp) > tolerance:
        raise SignatureError("The signature timestamp is outside the tolerance.")
    expected = sign(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("The signature does not match.")

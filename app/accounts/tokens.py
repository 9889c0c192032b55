"""Signed, expiring tokens for the links the marketplace e-mails (e-mail verification, password
reset): itsdangerous, one salt per purpose so that a token of one kind never opens another, and
the app's clock (``current_now``) for their age, so that time travel moves them too.

A token is signed, not encrypted: its payload can be read by whoever holds it, so it carries
ids and digests, never a secret.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta, timezone

from flask import current_app
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from app.core.clock import current_now


class _ClockSigner(TimestampSigner):
    """Dates signatures and measures their age on the app's clock, not the wall clock."""

    def get_timestamp(self) -> int:
        return int(current_now().replace(tzinfo=timezone.utc).timestamp())


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose, signer=_ClockSigner)


def sign(purpose: str, payload: dict) -> str:
    """A URL-safe token carrying ``payload``, dated now, valid only for ``purpose``."""
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age: timedelta) -> dict:
    """The payload of a ``purpose`` token signed at most ``max_age`` ago; ``TokenExpired`` when
    older, ``TokenInvalid`` when tampered with, of another purpose, or not a token at all."""
    try:
        payload = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise TokenExpired() from None
    except BadData:  # a bad signature, or a payload that does not decode
        raise TokenInvalid() from None
    if not isinstance(payload, dict):
        raise TokenInvalid()
    return payload


def digest(value: str) -> str:
    """A short digest of ``value`` for a payload (e.g. of a password hash: the token dies when the
    password changes, and the hash itself is never handed out)."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]

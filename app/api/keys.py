"""API keys: created by an organisation's administrators (the key is shown once), listed by
prefix, revoked; and the lookup that turns a bearer token into the key it is.

A key reads ``mk_<prefix>_<secret>``: the prefix (8 hex digits, unique) finds the row, the
SHA-256 of the whole key is compared in constant time. Only the prefix and the hash are stored.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.api.models import ApiKey, KeyScope
from app.accounts.activity import record_activity
from app.core.errors import Refusal, RefusalKind
from app.extensions import db

KEY_PREFIX = "mk_"
MAX_KEY_NAME = 100
# last_used_at is written at most this often per key: a busy key must not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class KeyRefused(Refusal):
    pass


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str  # the whole bearer token: shown once, never stored


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise KeyRefused("Give the key a name, so you can tell it apart later.")
    if len(name) > MAX_KEY_NAME:
        raise KeyRefused(f"A key's name has at most {MAX_KEY_NAME} characters.")
    return name


def _scope(scope: str) -> str:
    try:
        return KeyScope(scope).value
    except ValueError:
        raise KeyRefused("Choose whether the key may only read, or read and write.") from None


def create_key(organisation, name: str, scope: str, created_by, now: datetime) -> CreatedKey:
    """A new key of ``organisation`` made by its administrator ``created_by``; the secret is in
    the result only. Not committed. Refuses (``KeyRefused``) an empty or long name, an unknown
    scope, or a creator who is not an administrator of the organisation."""
    if not created_by.is_admin or created_by.organisation_id != organisation.id:
        raise KeyRefused(f"Only administrators of {organisation.name} can create API keys.", kind=RefusalKind.FORBIDDEN)
    name, scope = _clean_name(name), _scope(scope)
    prefix = secrets.token_hex(4)
    while db.session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix)) is not None:
        prefix = secrets.token_hex(4)
    token = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(organisation_id=organisation.id, name=name, prefix=prefix, secret_hash=_digest(token), scope=scope,
                 created_by_id=created_by.id, created_at=now)
    db.session.add(key)
    db.session.flush()
    record_activity(organisation.id, "api_key.created", f"API key {name} ({prefix}, {scope}) created", actor=created_by,
                    now=now)
    return CreatedKey(key, token)


def keys_of(organisation) -> list[ApiKey]:
    """The organisation's keys, newest first (an organisation has a handful)."""
    return list(db.session.scalars(select(ApiKey).where(ApiKey.organisation_id == organisation.id)
                                   .order_by(ApiKey.id.desc())))


def revoke_key(organisation, key_id: int, actor, now: datetime) -> ApiKey:
    """Revokes the organisation's key ``key_id`` (another organisation's key is not found).
    Revoking twice changes nothing. Not committed."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.organisation_id == organisation.id))
    if key is None:
        raise KeyRefused("That API key was not found.", kind=RefusalKind.NOT_FOUND)
    if key.revoked_at is None:
        key.revoked_at = now
        record_activity(organisation.id, "api_key.revoked", f"API key {key.name} ({key.prefix}) revoked", actor=actor,
                        now=now)
    return key


def authenticate(token: str, now: datetime) -> ApiKey | None:
    """The live key ``token`` is, else None (unknown, malformed or revoked). Notes its use
    (at most once a minute; flushed with the request's transaction)."""
    if not token.startswith(KEY_PREFIX) or len(token) > 200:
        return None
    prefix, _, _ = token[len(KEY_PREFIX):].partition("_")
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix)) if prefix else None
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(token)) or key.revoked_at is not None:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        db.session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        db.session.commit()
        db.session.refresh(key)
    return key

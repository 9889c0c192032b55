"""Values of the reseller home kept in Redis for a while under a key that names what they were
computed from (so a change makes a new key rather than waiting for the old one to expire).
Redis unreachable: the value is built every time, and the page still answers."""
from __future__ import annotations

import logging
from typing import Callable, TypeVar

from redis.exceptions import RedisError

from app.core.versions import database_namespace
from app.queue import redis_connection

log = logging.getLogger(__name__)
T = TypeVar("T")


def database_tag() -> str:
    """A short tag of the app's database, so that two apps sharing a Redis never share a value."""
    return database_namespace()


def kept(key: str, seconds: int, build: Callable[[], T], encode: Callable[[T], str],
         decode: Callable[[bytes], T]) -> T:
    """``build()``'s value, kept in Redis under ``key`` for ``seconds`` (0: never kept)."""
    if not seconds:
        return build()
    try:
        raw = redis_connection().get(key)
        if raw is not None:
            return decode(raw)
    except RedisError:
        log.warning("reseller home cache unavailable; building %s", key.split(":", 1)[0], exc_info=True)
        return build()
    value = build()
    try:
        redis_connection().set(key, encode(value), ex=int(seconds))
    except RedisError:
        log.warning("reseller home cache unavailable; %s not kept", key.split(":", 1)[0], exc_info=True)
    return value

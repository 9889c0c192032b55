"""The storefront cache: what many viewers see the same (marketplaces, categories, rendered product
grids and product pages), kept in Redis under a *catalog version*.

- Every key holds the current catalog version (``CATALOG``, one family of ``app.core.versions``);
  it moves on after every commit that inserted, updated or deleted a catalog or price row (see
  ``app.catalog.invalidation``), so no writer can forget it, and ``bump_catalog_version()``
  moves it by hand; nothing written before is read again.
- Values are JSON in Redis, and each web process also keeps the decoded value of the keys it
  used last (a small dict, bounded in size and age). A process reads the version from Redis
  at most every ``STOREFRONT_VERSION_CHECK_SECONDS`` (1 s): a hit costs no round trip. A bump
  is seen at once by the process that made it, by the others within that interval.
- Keys are per database (a hash of its URL): apps on other databases sharing the Redis do not
  see each other's entries.
- Redis down: every value is built from the database as if nothing were cached; the first
  failure is logged and Redis is left alone for a few seconds. A version bump that could not
  be written is written when Redis answers this process again (``app.core.versions``); entries
  also expire (``STOREFRONT_CACHE_SECONDS``), which bounds what a bump lost with its process can
  leave.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, TypeVar

from flask import current_app, has_request_context, request
from redis import Redis
from redis.exceptions import RedisError

from app.core.optional_redis import OptionalRedis
from app.core.versions import ALL, Versions
from app.extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER_SECONDS = 5.0  # after a failure, Redis is not tried again for this long
LOCAL_ENTRIES = 512  # decoded values kept per process
_REQUEST_KEY = "catalog.version"

_known_versions: dict[tuple[str, str], tuple[str, float]] = {}  # -> (version, read at)
_local: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


_redis = OptionalRedis("storefront cache", "pages are built from the database", RETRY_AFTER_SECONDS)
_client, _failed = _redis.client, _redis.failed


def _settings() -> tuple[str, str] | None:
    """(Redis URL, namespace) of the current app, or ``None`` when the cache is switched off."""
    return CATALOG.settings()


def _forget_known_version() -> None:
    """Before this process moves the version: it reads the new one rather than the one it knows."""
    if has_request_context():
        request.environ.pop(_REQUEST_KEY, None)
    settings = _settings()
    if settings is not None:
        _known_versions.pop(settings, None)


CATALOG = Versions("catalog", _redis, enabled=lambda: bool(current_app.config["STOREFRONT_CACHE"]),
                   moving=_forget_known_version)


def catalog_version() -> str | None:
    """The current catalog version (the same during a request), or ``None`` without a cache."""
    settings = _settings()
    if settings is None:
        return None
    if has_request_context():
        memo = request.environ.get(_REQUEST_KEY)
        if memo is not None and memo[0] == settings:
            return memo[1]
    now = time.monotonic()
    known = _known_versions.get(settings)
    if known is not None and now - known[1] < current_app.config["STOREFRONT_VERSION_CHECK_SECONDS"]:
        version = known[0]
    else:
        versions = CATALOG.current()
        version = versions[0] if versions is not None else None
        if version is None:
            _known_versions.pop(settings, None)
        else:
            _known_versions[settings] = (version, now)
    if has_request_context():
        request.environ[_REQUEST_KEY] = (settings, version)
    return version


def bump_catalog_version() -> None:
    """Makes every cached catalog value stale, for every process. Never raises: when Redis
    cannot be reached the bump is written as soon as this process reaches it again."""
    moved = CATALOG.move()
    if moved is not None:
        _known_versions[_settings()] = (moved[ALL], time.monotonic())


def _local_get(key: str, now: float) -> tuple[bool, Any]:
    entry = _local.get(key)
    if entry is None or entry[0] < now:
        return False, None
    return True, entry[1]


def _local_put(key: str, value: Any, expires_at: float) -> None:
    with _lock:
        if len(_local) >= LOCAL_ENTRIES:
            _local.clear()  # crude but cheap: entries of old versions go too
        _local[key] = (expires_at, value)


def _writing() -> bool:
    """Whether this request's session has changes not committed yet: then it reads and caches
    nothing (it must see its own changes, and a rollback must leave no trace)."""
    if not db.session.registry.has():  # no session yet in this request: nothing written
        return False
    session = db.session()
    return bool(CATALOG.noted(session) or session.new or session.deleted or session.dirty)


def cached(name: str, parts: tuple, build: Callable[[], Any], decode: Callable[[Any], T] = lambda value: value) -> T:
    """``decode(build())``, where ``build()`` returns a JSON-serialisable value, cached for the
    current catalog version under ``name`` and ``parts`` (everything the value depends on
    besides the catalog: ints, strings, ``None``). Without Redis, or while the session has
    uncommitted changes, ``build`` runs every time."""
    version = catalog_version()
    if version is None or _writing():
        return decode(build())
    url, namespace = _settings()
    key = f"catalog:{namespace}:{version}:{name}:{parts!r}"  # parts: ints, strings and None
    now = time.monotonic()
    found, value = _local_get(key, now)
    if found:
        return value
    seconds = current_app.config["STOREFRONT_CACHE_SECONDS"]
    raw = _redis_call(url, lambda client: client.get(key))
    if raw is not None:
        value = decode(json.loads(raw))
    else:
        built = build()
        value = decode(built)
        _redis_call(url, lambda client: client.set(key, json.dumps(built, separators=(",", ":")), ex=seconds))
    _local_put(key, value, now + seconds)
    return value


def _redis_call(url: str, call: Callable[[Redis], Any]) -> Any:
    client = _client(url)
    if client is None:
        return None
    try:
        return call(client)
    except RedisError as error:
        _failed(url, error)
        return None

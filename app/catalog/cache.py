"""The storefront cache: what many viewers see the same (marketplaces, categories, rendered product
grids and product pages), kept in Redis under a *catalog version*.

- Every key holds the current catalog version; ``bump_catalog_version()`` moves to a new one,
  so nothing written before is read again. It is called after every commit that inserted,
  updated or deleted a catalog or price row (see ``app.catalog.invalidation``), so no writer can
  forget it.
- Values are JSON in Redis, and each web process also keeps the decoded value of the keys it
  used last (a small dict, bounded in size and age). A process reads the version from Redis
  at most every ``STOREFRONT_VERSION_CHECK_SECONDS`` (1 s): a hit costs no round trip. A bump
  is seen at once by the process that made it, by the others within that interval.
- Keys are per database (a hash of its URL): apps on other databases sharing the Redis do not
  see each other's entries.
- Redis down: every value is built from the database as if nothing were cached; the first
  failure is logged and Redis is left alone for a few seconds. A version bump that could not
  be written is written when Redis answers this process again; entries also expire
  (``STOREFRONT_CACHE_SECONDS``), which bounds what a bump lost with its process can leave.
"""
from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from functools import lru_cache
from typing import Any, Callable, TypeVar

from flask import current_app, has_app_context, has_request_context, request
from redis import Redis
from redis.exceptions import RedisError

from app.core.optional_redis import OptionalRedis
from app.extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER_SECONDS = 5.0  # after a failure, Redis is not tried again for this long
LOCAL_ENTRIES = 512  # decoded values kept per process
_REQUEST_KEY = "catalog.version"
CHANGED_FLAG = "catalog_changed"  # in session.info: a catalog write flushed, not committed yet

_pending_bumps: set[tuple[str, str]] = set()  # (redis url, namespace) whose bump failed
_known_versions: dict[tuple[str, str], tuple[str, float]] = {}  # -> (version, read at)
_local: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


_redis = OptionalRedis("storefront cache", "pages are built from the database", RETRY_AFTER_SECONDS)
_client, _failed, _recovered = _redis.client, _redis.failed, _redis.recovered


@lru_cache(maxsize=32)
def _namespace_of(database_url: str) -> str:
    return hashlib.sha1(database_url.encode()).hexdigest()[:10]


def _settings() -> tuple[str, str] | None:
    """(Redis URL, namespace) of the current app, or ``None`` when the cache is switched off."""
    if not has_app_context():
        return None
    config = current_app.config
    if not config["STOREFRONT_CACHE"]:
        return None
    return config["REDIS_URL"], _namespace_of(str(config["SQLALCHEMY_DATABASE_URI"]))


def _version_key(namespace: str) -> str:
    return f"catalog:{namespace}:version"


def _random_start() -> int:
    return random.randrange(1, 2**48)


def _read_version(url: str, namespace: str) -> str | None:
    client = _client(url)
    if client is None:
        return None
    key = _version_key(namespace)
    try:
        if (url, namespace) in _pending_bumps:
            client.pipeline(transaction=False).set(key, _random_start(), nx=True).incr(key).execute()
            _pending_bumps.discard((url, namespace))
        version = client.get(key)
        if version is None:
            # A random start, never 0: values a process kept from before Redis was emptied are
            # not read again under a version that restarted.
            client.set(key, _random_start(), nx=True)
            version = client.get(key)
    except RedisError as error:
        _failed(url, error)
        return None
    _recovered(url)
    return version.decode() if version is not None else None


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
        version = _read_version(*settings)
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
    settings = _settings()
    if settings is None:
        return
    url, namespace = settings
    if has_request_context():
        request.environ.pop(_REQUEST_KEY, None)
    _known_versions.pop(settings, None)
    client = _client(url)
    try:
        if client is None:
            raise RedisError("Redis is considered down")
        key = _version_key(namespace)
        # A missing version (Redis emptied) starts at random, as in _read_version, then moves on.
        _, version = client.pipeline(transaction=False).set(key, _random_start(), nx=True).incr(key).execute()
        _known_versions[settings] = (str(version), time.monotonic())
        _pending_bumps.discard(settings)
    except RedisError as error:
        _pending_bumps.add(settings)
        if client is not None:
            _failed(url, error)


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
    return bool(session.info.get(CHANGED_FLAG) or session.new or session.deleted or session.dirty)


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

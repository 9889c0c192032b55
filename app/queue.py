"""The Redis connection and RQ queues, one place for every producer and worker."""
from __future__ import annotations

import threading

from flask import current_app, g
from redis import Redis

_shared: dict[str, Redis] = {}  # the app's REDIS_URL -> this process's client (and its connection pool)
_shared_lock = threading.Lock()


def _new_client(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def redis_connection(url: str | None = None) -> Redis:
    """A Redis client with short time-outs: for the app's ``REDIS_URL``, one per process (its
    pool keeps connections open between requests), else a new one for ``url``.

    A new client per request cost every request that queued a job a TCP connection, the
    client's set-up (it looks up its own package version) and RQ's ``INFO`` for the server's
    version, which RQ keeps on the client: together more CPU than the enqueues themselves.
    The pool is safe across threads and, after a fork, opens its own connections."""
    if url is None:
        if "redis" not in g:
            g.redis = shared_client(current_app.config["REDIS_URL"])
        return g.redis
    return _new_client(url)


def shared_client(url: str) -> Redis:
    """This process's client for ``url``."""
    client = _shared.get(url)
    if client is None:
        with _shared_lock:
            client = _shared.get(url) or _shared.setdefault(url, _new_client(url))
    return client


def share_connection(client: Redis) -> None:
    """Makes ``client`` this app context's Redis client (a worker lends its own to each job, so a
    job's enqueues need no new connection)."""
    g.redis = client

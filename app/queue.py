"""The Redis connection and RQ queues, one place for every producer and worker."""
from __future__ import annotations

from flask import current_app, g
from redis import Redis


def redis_connection(url: str | None = None) -> Redis:
    """A Redis client for the app's ``REDIS_URL`` with short time-outs (reused per request)."""
    if url is None:
        if "redis" not in g:
            g.redis = Redis.from_url(
                current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
            )
        return g.redis
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def share_connection(client: Redis) -> None:
    """Makes ``client`` this app context's Redis client (a worker lends its own to each job, so a
    job's enqueues need no new connection)."""
    g.redis = client

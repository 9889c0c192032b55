"""Redis as an optional speed-up (the storefront cache, the signed-in snapshots): one client per
Redis URL, whose connection pool outlives requests, with short time-outs; and a breaker: after
a failure Redis is not tried again for ``retry_after`` seconds, so while it is down each request
goes straight to the database instead of waiting for a time-out."""
from __future__ import annotations

import logging
import time

from redis import Redis

log = logging.getLogger(__name__)


class OptionalRedis:
    def __init__(self, what: str, meanwhile: str, retry_after: float = 5.0) -> None:
        self.what, self.meanwhile, self.retry_after = what, meanwhile, retry_after
        self.clients: dict[str, Redis] = {}
        self.down_until: dict[str, float] = {}

    def client(self, url: str) -> Redis | None:
        """The client of ``url``, or ``None`` while Redis is considered down."""
        if self.down_until.get(url, 0) > time.monotonic():
            return None
        client = self.clients.get(url)
        if client is None:
            client = self.clients.setdefault(url, Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5))
        return client

    def failed(self, url: str, error: Exception) -> None:
        if url not in self.down_until:
            log.warning("%s off for %ss: Redis unreachable (%s); %s", self.what, self.retry_after, error, self.meanwhile)
        self.down_until[url] = time.monotonic() + self.retry_after

    def recovered(self, url: str) -> None:
        if self.down_until.pop(url, None) is not None:
            log.info("%s on again: Redis answers", self.what)

"""The marketplace's own host names: never looked up as a storefront's domain."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def own_hosts() -> frozenset[str]:
    base = (urlsplit(current_app.config.get("PUBLIC_BASE_URL", "")).hostname or "").lower()
    return LOOPBACK | ({base} if base else frozenset())

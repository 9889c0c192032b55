"""Rate limits per API key (Flask-Limiter), counted in Redis (``API_RATE_LIMIT_STORAGE_URI``,
the app's ``REDIS_URL`` by default) so every web process shares them. Over the limit: 429 with
``Retry-After`` and the ``RateLimit-*`` headers (also sent on every answer)."""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import HeaderNames, Limiter


def key_of_request() -> str:
    """The key's prefix (the part before its secret; never the secret), else the client address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.startswith("mk_"):
        return "key:" + token[3:].partition("_")[0][:20]
    return "address:" + (request.remote_addr or "unknown")


def init_app(app: Flask) -> Limiter:
    limiter = Limiter(
        key_func=key_of_request, app=app, default_limits=[],
        storage_uri=app.config.get("API_RATE_LIMIT_STORAGE_URI") or app.config.get("REDIS_URL", "memory://"),
        headers_enabled=True, strategy="moving-window", key_prefix="api-limits",
        header_name_mapping={HeaderNames.LIMIT: "RateLimit-Limit", HeaderNames.REMAINING: "RateLimit-Remaining",
                             HeaderNames.RESET: "RateLimit-Reset", HeaderNames.RETRY_AFTER: "Retry-After"},
        enabled=app.config.get("API_RATE_LIMIT_ENABLED", True),
        # Redis briefly away: count in memory meanwhile rather than refuse every API request.
        swallow_errors=True, in_memory_fallback_enabled=True,
    )
    app.extensions["api_limiter"] = limiter
    return limiter


def limit_blueprint(limiter: Limiter, blueprint) -> None:
    limiter.limit(lambda: limiter_limit_string(), key_func=key_of_request)(blueprint)


def limiter_limit_string() -> str:
    from flask import current_app

    return current_app.config.get("API_RATE_LIMIT", "600 per minute")

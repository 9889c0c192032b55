"""Card payments through Stripe: saved cards, one PaymentIntent per order, signed webhooks.

``gateway`` is the only module that calls the ``stripe`` library. Registering ``bp`` also adds
Stripe.js and the API's origins to the Content-Security-Policy (see ``stripe_csp_sources``).
"""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Blueprint

from app.config import stripe_js_url

bp = Blueprint("payments", __name__, url_prefix="/payments")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stripe_csp_sources(config: Mapping) -> dict[str, list[str]]:
    """What the card form needs: Stripe.js (script and frames) and the API (its requests)."""
    script = _origin(stripe_js_url(config))
    frames = [script] + (["https://hooks.stripe.com"] if script == "https://js.stripe.com" else [])
    return {"script-src": [script], "frame-src": frames, "connect-src": [_origin(config["STRIPE_API_BASE"])]}


@bp.record_once
def _allow_stripe_in_csp(state) -> None:
    register_csp_sources(state.app, stripe_csp_sources)


from app.core.web import register_csp_sources  # noqa: E402
from app.payments import routes  # noqa: E402,F401

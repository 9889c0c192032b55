"""The marketplace and price basis of the current request, resolved once per request."""
from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

from app.catalog.models import Marketplace
from app.catalog.pricing import Viewer, viewer_for
from app.catalog.queries import marketplace_by_code, marketplaces

SESSION_KEY = "marketplace"


def _request_cache() -> dict:
    """Per-request memo. Not ``g``: an app context may outlive a request (tests keep one open)."""
    return request.environ.setdefault("marketplace.request_cache", {})


def current_organisation():
    if current_user.is_authenticated:
        return current_user.organisation
    return None


def current_marketplace() -> Marketplace:
    """The region picked by the visitor, else the signed-in organisation's, else the default."""
    cache = _request_cache()
    if "marketplace" not in cache:
        organisation = current_organisation()
        candidates = [
            session.get(SESSION_KEY),
            organisation.marketplace.code if organisation is not None and organisation.marketplace else None,
            current_app.config["DEFAULT_MARKETPLACE"],
        ]
        found = next((m for m in map(marketplace_by_code, candidates) if m is not None), None)
        if found is None:
            found = next(iter(marketplaces()), None)
        cache["marketplace"] = found
    return cache["marketplace"]


def remember_marketplace(marketplace: Marketplace) -> None:
    session[SESSION_KEY] = marketplace.code
    session.permanent = True
    _request_cache()["marketplace"] = marketplace


def current_viewer() -> Viewer:
    cache = _request_cache()
    if "viewer" not in cache:
        cache["viewer"] = viewer_for(current_organisation())
    return cache["viewer"]

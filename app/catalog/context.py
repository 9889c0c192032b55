"""The marketplace and price basis of the current request, resolved once per request."""
from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

from app.catalog.pricing import Viewer, viewer_for
from app.catalog.reference import MarketplaceInfo, all_marketplaces

SESSION_KEY = "marketplace"


def _request_cache() -> dict:
    """Per-request memo. Not ``g``: an app context may outlive a request (tests keep one open)."""
    return request.environ.setdefault("marketplace.request_cache", {})


def current_organisation():
    if current_user.is_authenticated:
        return current_user.organisation
    return None


def current_marketplace() -> MarketplaceInfo | None:
    """The region picked by the visitor, else the signed-in organisation's, else the default
    (a snapshot of the row: see ``app.catalog.reference``)."""
    cache = _request_cache()
    if "marketplace" not in cache:
        known = all_marketplaces()
        organisation = current_organisation()
        own = known.by_id.get(organisation.marketplace_id) if organisation is not None else None
        candidates = [session.get(SESSION_KEY), own.code if own else None, current_app.config["DEFAULT_MARKETPLACE"]]
        found = next((known.by_code[c.upper()] for c in candidates if c and c.upper() in known.by_code), None)
        cache["marketplace"] = found if found is not None else next(iter(known.all), None)
    return cache["marketplace"]


def remember_marketplace(marketplace: MarketplaceInfo) -> None:
    session[SESSION_KEY] = marketplace.code
    session.permanent = True
    _request_cache()["marketplace"] = marketplace


def current_viewer() -> Viewer:
    cache = _request_cache()
    if "viewer" not in cache:
        cache["viewer"] = viewer_for(current_organisation())
    return cache["viewer"]

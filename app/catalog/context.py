"""The marketplace and price basis of the current request, resolved once per request."""
from __future__ import annotations

from flask import current_app, g, session
from flask_login import current_user

from app.catalog.models import Marketplace
from app.catalog.pricing import Viewer, viewer_for
from app.catalog.queries import marketplace_by_code, marketplaces

SESSION_KEY = "marketplace"


def current_organisation():
    if current_user.is_authenticated:
        return current_user.organisation
    return None


def current_marketplace() -> Marketplace:
    """The region picked by the visitor, else the signed-in organisation's, else the default."""
    if "marketplace" not in g:
        organisation = current_organisation()
        candidates = [
            session.get(SESSION_KEY),
            organisation.marketplace.code if organisation is not None and organisation.marketplace else None,
            current_app.config["DEFAULT_MARKETPLACE"],
        ]
        found = next((m for m in map(marketplace_by_code, candidates) if m is not None), None)
        if found is None:
            found = next(iter(marketplaces()), None)
        g.marketplace = found
    return g.marketplace


def remember_marketplace(marketplace: Marketplace) -> None:
    session[SESSION_KEY] = marketplace.code
    session.permanent = True
    g.marketplace = marketplace


def current_viewer() -> Viewer:
    if "viewer" not in g:
        g.viewer = viewer_for(current_organisation())
    return g.viewer

"""The panels by audience: ``reseller/`` (/reseller/) for organisations the distributor enabled
for reselling, ``customer/`` (/customer/) for every other buying organisation. Distributor
staff work in ``app.back_office`` (/staff/). Each panel's blueprint checks its audience once,
in ``before_request``; the panels only arrange pages, every rule is a service call.

This package's own blueprint keeps the pages' old addresses (``/subscriptions``...) answering
with a redirect to the viewer's panel, and gives templates ``panel_url``.
"""
from __future__ import annotations

from flask import Blueprint, url_for

from app.accounts.access import acting_organisation

bp = Blueprint("control_panel", __name__)
# Who the page acts for (the supported customer in support mode): templates ask this, not
# ``current_user.organisation``.
bp.add_app_template_global(acting_organisation, "acting_organisation")


def panel_of(organisation) -> str:
    """The blueprint of the panel where ``organisation``'s users work."""
    if organisation.is_distributor:
        return "back_office"
    return "reseller" if organisation.acts_as_reseller else "customer"


@bp.app_template_global("panel_url")
def panel_url(view: str, organisation, **values) -> str:
    """``view`` (e.g. "subscriptions") in ``organisation``'s panel."""
    return url_for(f"{panel_of(organisation)}.{view}", **values)


from app.control_panel import redirects  # noqa: E402,F401

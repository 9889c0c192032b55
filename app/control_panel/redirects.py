"""The subscription pages' addresses before the panels: a bookmark still finds its page, in
the viewer's panel (another tenant's id is not found, as on the page itself)."""
from __future__ import annotations

from flask import redirect
from flask_login import current_user, login_required

from app.accounts.access import TenantScope
from app.control_panel import bp, panel_url
from app.plans.models import Subscription


@bp.get("/subscriptions")
@login_required
def subscriptions():
    return redirect(panel_url("subscriptions", current_user.organisation), code=301)


@bp.get("/subscriptions/<int:subscription_id>")
@login_required
def subscription(subscription_id: int):
    found = TenantScope(current_user.organisation).get_or_404(Subscription, subscription_id)
    return redirect(panel_url("subscription", current_user.organisation, subscription_id=found.id), code=301)

"""Support mode in the customer panel: the banner on every page, ending the session, and a
grant that lapsed (expired, or its user no longer an administrator of the reseller) dropped
with a word. Who the panel acts for is ``app.accounts.access.acting_organisation``."""
from __future__ import annotations

from flask import flash, redirect, session, url_for
from flask_login import current_user

from app.accounts.access import SUPPORT_SESSION_KEY, support_grant, supported_organisation
from app.accounts.support import end_support
from app.control_panel.customer import bp
from app.control_panel.forms import ActionForm
from app.core.clock import current_now
from app.extensions import db


@bp.context_processor
def _support_banner() -> dict:
    customer = supported_organisation() if current_user.is_authenticated else None
    if customer is None:
        return {"support": None}
    return {"support": {"customer": customer, "reseller": current_user.organisation, "user": current_user,
                        "expires_at": support_grant().expires_at, "form": ActionForm()}}


@bp.before_request
def _drop_lapsed_support():
    """Runs after the panel guard: a grant that no longer holds is forgotten (its end logged
    when it was this user's) and the reseller goes back to its own panel."""
    grant = support_grant()
    if grant is None or not current_user.is_authenticated or supported_organisation() is not None:
        return None
    session.pop(SUPPORT_SESSION_KEY, None)
    if grant.user_id != current_user.id:
        return None  # left behind by someone who signed out in this browser: not this user's
    now = current_now()
    end_support(grant, current_user, now, expired=now >= grant.expires_at)
    db.session.commit()
    flash("Your support session has ended: open the customer's panel again if you still need it.", "info")
    if current_user.organisation.acts_as_reseller:
        return redirect(url_for("reseller.customers"))
    return redirect(url_for("customer.home"))


@bp.post("/support/end")
def end_support_session():
    """Ends the support session (logged in the customer's activity) and returns to the
    reseller panel; without one, back to the panel's home."""
    grant = support_grant()
    session.pop(SUPPORT_SESSION_KEY, None)
    if grant is None or grant.user_id != current_user.id:
        return redirect(url_for("customer.home"))
    end_support(grant, current_user, current_now())
    db.session.commit()
    flash("Support session ended.", "success")
    return redirect(url_for("reseller.home"))

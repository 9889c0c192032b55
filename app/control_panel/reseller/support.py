"""Support access: a reseller's administrator opens its customer's panel "as reseller"
(``app.accounts.support``), from the customers list or a customer's page."""
from __future__ import annotations

from flask import flash, redirect, session, url_for
from flask_login import current_user

from app.accounts.access import SUPPORT_SESSION_KEY, TenantScope
from app.accounts.models import Organisation
from app.accounts.support import start_support
from app.control_panel.reseller import bp
from app.core.clock import current_now
from app.extensions import db


def _customers_scope() -> TenantScope:
    """The reseller's own customers: organisations whose parent it is."""
    return TenantScope(current_user.organisation, customers=False, staff_sees_all=False)


@bp.post("/customers/<int:customer_id>/support")
def start_support_session(customer_id: int):
    """Opens the customer's panel in support mode; another reseller's customer is not found."""
    customer = _customers_scope().get_or_404(Organisation, customer_id, owner_column=Organisation.parent_id)
    grant = start_support(current_user._get_current_object(), customer.id, current_now())
    db.session.commit()
    session[SUPPORT_SESSION_KEY] = grant.to_dict()
    flash(f"You are now in {customer.name}'s panel. Everything you do is recorded in its activity log.", "info")
    return redirect(url_for("customer.home"))

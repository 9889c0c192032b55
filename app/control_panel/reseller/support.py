"""The reseller's customers (/reseller/customers, a minimal paged list until the customer pages
come) and support access: opening a customer's panel "as reseller"
(``app.accounts.support``)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts.access import SUPPORT_SESSION_KEY, TenantScope
from app.accounts.models import Organisation, OrganisationKind
from app.accounts.support import start_support
from app.control_panel.forms import ActionForm
from app.control_panel.reseller import bp
from app.core.clock import current_now
from app.extensions import db

PER_PAGE = 25


def _customers_scope() -> TenantScope:
    """The reseller's own customers: organisations whose parent it is."""
    return TenantScope(current_user.organisation, customers=False, staff_sees_all=False)


@bp.get("/customers")
def customers():
    page = request.args.get("page", "1")
    statement = _customers_scope().filter(
        select(Organisation).where(Organisation.kind == OrganisationKind.CUSTOMER.value).order_by(Organisation.name, Organisation.id),
        Organisation.parent_id)
    rows = db.paginate(statement, page=int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 1, per_page=PER_PAGE, error_out=False)
    return render_template("control_panel/reseller/support/customers.html", customers=rows, form=ActionForm())


@bp.post("/customers/<int:customer_id>/support")
def start_support_session(customer_id: int):
    """Opens the customer's panel in support mode; another reseller's customer is not found."""
    customer = _customers_scope().get_or_404(Organisation, customer_id, owner_column=Organisation.parent_id)
    grant = start_support(current_user._get_current_object(), customer.id, current_now())
    db.session.commit()
    session[SUPPORT_SESSION_KEY] = grant.to_dict()
    flash(f"You are now in {customer.name}'s panel. Everything you do is recorded in its activity log.", "info")
    return redirect(url_for("customer.home"))

"""A reseller invites its customer's administrators (one or several addresses at once) and
resends or revokes their invitations, from the customer page's Users tab: the same invitations
as the customer's own users page (``app.control_panel.team``), acting for the customer."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from app.accounts.models import Role
from app.control_panel import team
from app.control_panel.forms import ActionForm
from app.control_panel.reseller import bp
from app.control_panel.reseller.customer_pages import customer_of
from app.control_panel.reseller.customers import customer_users_page
from app.control_panel.reseller.forms import InviteAdministratorsForm
from app.core.clock import current_now
from app.core.errors import Refusal
from app.extensions import db


def _back(customer_id: int):
    return redirect(url_for(".customer_users", customer_id=customer_id))


@bp.post("/customers/<int:customer_id>/users/invite")
def invite_customer_admins(customer_id: int):
    customer, form = customer_of(current_user.organisation, customer_id), InviteAdministratorsForm()
    if not form.validate_on_submit():
        return customer_users_page(customer_id, form, 400)
    try:
        invited = team.send_invitations(customer, team.split_addresses(form.emails.data), Role.ADMIN.value,
                                        current_user._get_current_object(), current_now())
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        form.emails.errors.append(refused.message)
        return customer_users_page(customer_id, form, refused.status)
    flash(f"Invitation sent to {', '.join(user.email for user in invited)}.", "success")
    return _back(customer_id)


def _act(customer_id: int, user_id: int, action, success: str):
    customer = customer_of(current_user.organisation, customer_id)
    if not ActionForm().validate_on_submit():
        return _back(customer_id)
    try:
        user = action(customer, user_id, current_user._get_current_object(), current_now())
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return customer_users_page(customer_id, status=refused.status)
    flash(success.format(email=user.email), "success")
    return _back(customer_id)


@bp.post("/customers/<int:customer_id>/users/<int:user_id>/resend")
def resend_customer_invitation(customer_id: int, user_id: int):
    return _act(customer_id, user_id, team.resend,
                "A new invitation is on its way to {email}; the previous link no longer works.")


@bp.post("/customers/<int:customer_id>/users/<int:user_id>/revoke")
def revoke_customer_invitation(customer_id: int, user_id: int):
    return _act(customer_id, user_id, team.revoke, "The invitation of {email} is revoked.")

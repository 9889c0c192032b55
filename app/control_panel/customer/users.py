"""The organisation's users (/customer/users): the list (role, status, last sign-in),
invitations (send, resend, revoke), roles and removal. Administrators act, members look (the
panel's guard); every rule is in ``app.accounts.members``."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts import members
from app.accounts.access import TenantScope, acting_organisation
from app.accounts.models import User
from app.control_panel.customer import bp
from app.control_panel.customer.member_forms import InviteForm, RoleForm
from app.control_panel.forms import ActionForm
from app.core.clock import current_now
from app.core.errors import Refusal
from app.extensions import db
from app.mail.notices import member_invited


def _user(user_id: int) -> User:
    """A user of the signed-in organisation (removed ones are gone): another tenant's id is 404."""
    scope = TenantScope(acting_organisation(), customers=False, staff_sees_all=False)
    return scope.one_or_404(select(User).where(User.id == user_id, User.removed_at.is_(None)), User.organisation_id)


def _list(form: InviteForm | None = None, status: int = 200):
    organisation = acting_organisation()
    return render_template("control_panel/customer/users/index.html", rows=members.members_of(organisation, current_now()),
                           form=form or InviteForm(), role_form=RoleForm, action=ActionForm()), status


def _back():
    return redirect(url_for(".users"))


def _refused(refused: Refusal):
    db.session.rollback()
    flash(refused.message, "danger")
    return _list(status=refused.status)


@bp.get("/users")
def users():
    return _list()


@bp.post("/users/invite")
def invite_user():
    form = InviteForm()
    if not form.validate_on_submit():
        return _list(form, 400)
    now, organisation = current_now(), acting_organisation()
    try:
        invitation = members.invite_member(organisation, form.email.data, form.role.data, now, actor=current_user._get_current_object())
        member_invited(invitation, organisation, current_user, now)
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        form.email.errors.append(refused.message)
        return _list(form, refused.status)
    flash(f"{invitation.user.email} is invited: the invitation e-mail is on its way.", "success")
    return _back()


@bp.post("/users/<int:user_id>/resend")
def resend_invitation(user_id: int):
    user, now = _user(user_id), current_now()
    if not ActionForm().validate_on_submit():
        return _back()
    try:
        invitation = members.resend_invitation(acting_organisation(), user.id, now, actor=current_user._get_current_object())
        member_invited(invitation, acting_organisation(), current_user, now)
        db.session.commit()
    except Refusal as refused:
        return _refused(refused)
    flash(f"A new invitation is on its way to {user.email}; the previous link no longer works.", "success")
    return _back()


@bp.post("/users/<int:user_id>/revoke")
def revoke_invitation(user_id: int):
    user = _user(user_id)
    if not ActionForm().validate_on_submit():
        return _back()
    try:
        members.revoke_invitation(acting_organisation(), user.id, current_now(), actor=current_user._get_current_object())
        db.session.commit()
    except Refusal as refused:
        return _refused(refused)
    flash(f"The invitation of {user.email} is revoked.", "success")
    return _back()


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    user, form = _user(user_id), RoleForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        flash("Choose administrator or member.", "warning")
        return _list(status=400)
    try:
        members.change_role(acting_organisation(), user.id, form.role.data, current_user)
        db.session.commit()
    except Refusal as refused:
        return _refused(refused)
    flash(f"{user.email} is now {'an administrator' if user.is_admin else 'a member'}.", "success")
    return _back()


@bp.post("/users/<int:user_id>/remove")
def remove_user(user_id: int):
    user = _user(user_id)
    if not ActionForm().validate_on_submit():
        return _back()
    try:
        members.remove_member(acting_organisation(), user.id, current_user, current_now())
        db.session.commit()
    except Refusal as refused:
        return _refused(refused)
    flash(f"{user.email} is removed: the account is closed and its seats are free.", "success")
    return _back()

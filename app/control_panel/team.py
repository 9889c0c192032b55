"""The users of an organisation, one implementation for every panel that manages them: the
customer panel's and the reseller panel's "Users" (``add_team_pages``), and the invitations a
reseller sends for its customer (``send_invitations``, used by the customer page).

The list (role, status, last sign-in), invitations (send one or several, resend, revoke), roles
and removal. Administrators act, members look (each panel's guard); every rule is in
``app.accounts.members``; each invitation, resend and revocation is recorded in the activity log
of the organisation it is about (and, when a reseller acts for its customer, in the reseller's).
"""
from __future__ import annotations

import re
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts import members
from app.accounts.access import TenantScope, acting_organisation
from app.accounts.models import Organisation, User
from app.control_panel.member_forms import InviteForm, RoleForm
from app.control_panel.forms import ActionForm
from app.core.clock import current_now
from app.core.errors import Refusal
from app.extensions import db
from app.mail.notices import member_invited
from app.core.numbers import page_argument as page_number

MAX_INVITATIONS = 20
PER_PAGE = 25


class TooManyAddresses(members.MemberRefused):
    pass


def split_addresses(text: str | None) -> list[str]:
    """The addresses in a "one or several e-mail addresses" field (separated by commas,
    semicolons, spaces or lines), lower-cased, each once, in the order given."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\s,;]+", text or ""):
        if part:
            seen.setdefault(part.lower())
    return list(seen)


def send_invitations(organisation: Organisation, emails: list[str], role: str, actor: User, now: datetime) -> list[User]:
    """Invites each address into ``organisation`` with ``role`` (``members.invite_member``),
    queues each invitation e-mail and logs it; all or nothing: the first refusal (an invalid
    address, one of another organisation, one invited already, more than ``MAX_INVITATIONS``)
    is raised and the caller rolls back. Not committed."""
    if not emails:
        raise members.MemberRefused("Enter at least one e-mail address.")
    if len(emails) > MAX_INVITATIONS:
        raise TooManyAddresses(f"Invite at most {MAX_INVITATIONS} addresses at once.")
    for email in emails:
        try:  # the address's syntax; reserved test domains are fine, as on the users page's form
            validate_email(email, check_deliverability=False, test_environment=True)
        except EmailNotValidError:
            raise members.MemberRefused(f"{email[:254]} is not a valid e-mail address: enter addresses such as "
                                        "name@example.com.") from None
    invited = []
    for email in emails:
        invitation = members.invite_member(organisation, email, role, now, actor=actor)
        member_invited(invitation, organisation, actor, now)
        invited.append(invitation.user)
    return invited


def resend(organisation: Organisation, user_id: int, actor: User, now: datetime) -> User:
    """A new invitation link for a user who has not accepted yet, mailed and logged. Not committed."""
    invitation = members.resend_invitation(organisation, user_id, now, actor=actor)
    member_invited(invitation, organisation, actor, now)
    return invitation.user


def revoke(organisation: Organisation, user_id: int, actor: User, now: datetime) -> User:
    """Withdraws a pending invitation and logs it. Not committed."""
    user = members.revoke_invitation(organisation, user_id, now, actor=actor)
    return user


# --- the "Users" pages of a panel (endpoints relative to the blueprint they are mounted on) ---

def _user(user_id: int) -> User:
    """A user of the acting organisation (removed ones are gone): another tenant's id is 404."""
    scope = TenantScope(acting_organisation(), customers=False, staff_sees_all=False)
    return scope.one_or_404(select(User).where(User.id == user_id, User.removed_at.is_(None)), User.organisation_id)


def _list(form: InviteForm | None = None, status: int = 200):
    organisation = acting_organisation()
    return render_template("control_panel/team/index.html", organisation=organisation,
                           rows=members.members_page(organisation, current_now(), page_number(), PER_PAGE),
                           form=form or InviteForm(), role_form=RoleForm, action=ActionForm()), status


def _back():
    return redirect(url_for(".users"))


def _refused(refused: Refusal):
    db.session.rollback()
    flash(refused.message, "danger")
    return _list(status=refused.status)


def users():
    return _list()


def invite_user():
    form = InviteForm()
    if not form.validate_on_submit():
        return _list(form, 400)
    try:
        (user,) = send_invitations(acting_organisation(), [form.email.data], form.role.data,
                                   current_user._get_current_object(), current_now())
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        form.email.errors.append(refused.message)
        return _list(form, refused.status)
    flash(f"{user.email} is invited: the invitation e-mail is on its way.", "success")
    return _back()


def _act(user_id: int, action, success):
    """Runs ``action(organisation, user_id, actor)`` on a user of the acting organisation."""
    user = _user(user_id)
    if not ActionForm().validate_on_submit():
        return _back()
    try:
        action(acting_organisation(), user.id, current_user._get_current_object())
        db.session.commit()
    except Refusal as refused:
        return _refused(refused)
    flash(success(user), "success")
    return _back()


def resend_invitation(user_id: int):
    return _act(user_id, lambda org, uid, actor: resend(org, uid, actor, current_now()),
                lambda user: f"A new invitation is on its way to {user.email}; the previous link no longer works.")


def revoke_invitation(user_id: int):
    return _act(user_id, lambda org, uid, actor: revoke(org, uid, actor, current_now()),
                lambda user: f"The invitation of {user.email} is revoked.")


def remove_user(user_id: int):
    return _act(user_id, lambda org, uid, actor: members.remove_member(org, uid, actor, current_now()),
                lambda user: f"{user.email} is removed: the account is closed and its seats are free.")


def change_role(user_id: int):
    user, form = _user(user_id), RoleForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        flash("Choose administrator or member.", "warning")
        return _list(status=400)
    try:
        members.change_role(acting_organisation(), user.id, form.role.data, current_user._get_current_object())
        db.session.commit()
    except Refusal as refused:
        return _refused(refused)
    flash(f"{user.email} is now {'an administrator' if user.is_admin else 'a member'}.", "success")
    return _back()


def add_team_pages(bp: Blueprint) -> None:
    """The organisation's users under ``bp``'s prefix: ``<bp>.users`` (GET ``/users``) and the
    POSTs ``invite_user``, ``resend_invitation``, ``revoke_invitation``, ``change_role`` and
    ``remove_user``. The blueprint's guard lets members read and refuses their writes."""
    bp.add_url_rule("/users", "users", users)
    bp.add_url_rule("/users/invite", "invite_user", invite_user, methods=["POST"])
    bp.add_url_rule("/users/<int:user_id>/resend", "resend_invitation", resend_invitation, methods=["POST"])
    bp.add_url_rule("/users/<int:user_id>/revoke", "revoke_invitation", revoke_invitation, methods=["POST"])
    bp.add_url_rule("/users/<int:user_id>/role", "change_role", change_role, methods=["POST"])
    bp.add_url_rule("/users/<int:user_id>/remove", "remove_user", remove_user, methods=["POST"])

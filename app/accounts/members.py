"""An organisation's users as its administrators manage them: invite (administrators and
members), resend or revoke an invitation, change a role, remove a user; and a user's own
profile.

Guarantees: an organisation keeps at least one active administrator (the organisation's row
is locked while administrators are counted, so two administrators removing each other cannot
both succeed); nobody removes or demotes themselves by accident; an invitation link stops
working once it is resent or revoked. Removed users are kept (orders and changes name who
placed them), switched off and hidden. Every refusal is a ``MemberRefused`` whose message is
for the user; nothing is committed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import func, select

from app.accounts.activity import record_activity
from app.accounts.invitations import INVITATION_MAX_AGE, invitation_token, invite
from app.accounts.models import Organisation, Role, User
from app.accounts.services import normalise_email
from app.core.errors import Refusal, RefusalKind
from app.core.locks import locked_one
from app.extensions import db

# What other areas undo when a user is removed (e.g. the user's seats), registered at import:
# callable(user, now). Accounts is the lowest layer: it cannot import them.
ON_REMOVE: list[Callable[[User, datetime], None]] = []


class MemberRefused(Refusal):
    """An administrator's request about a user cannot be done; nothing changed."""


class LastAdministrator(MemberRefused):
    kind = RefusalKind.CONFLICT


class NotYourself(MemberRefused):
    kind = RefusalKind.CONFLICT


class AlreadyInvited(MemberRefused):
    kind = RefusalKind.CONFLICT


class EmailTaken(MemberRefused):
    kind = RefusalKind.CONFLICT


class NotPending(MemberRefused):
    kind = RefusalKind.CONFLICT


class InvalidProfile(MemberRefused):
    pass


@dataclass(frozen=True)
class Invitation:
    user: User
    token: str | None  # None: the user has a working account already (nothing to accept)


@dataclass(frozen=True)
class MemberRow:
    user: User
    status: str  # active | invited | invitation expired


def member_status(user: User, now: datetime) -> str:
    if user.is_enabled:
        return "active"
    if user.invited_at is not None and now - user.invited_at > INVITATION_MAX_AGE:
        return "invitation expired"
    return "invited"


def members_of(organisation: Organisation, now: datetime) -> list[MemberRow]:
    """The organisation's users (removed ones left out), administrators first, in one query."""
    users = db.session.scalars(
        select(User).where(User.organisation_id == organisation.id, User.removed_at.is_(None))
        .order_by(User.role, User.email)
    ).all()
    return [MemberRow(user, member_status(user, now)) for user in users]


def members_page(organisation: Organisation, now: datetime, page: int, per_page: int = 25):
    """One page (``db.paginate``) of the organisation's users as ``members_of`` orders them; its
    ``items`` are ``MemberRow``s. Two queries: the count and the rows."""
    pagination = db.paginate(
        select(User).where(User.organisation_id == organisation.id, User.removed_at.is_(None))
        .order_by(User.role, User.email), page=page, per_page=per_page, error_out=False)
    pagination.items = [MemberRow(user, member_status(user, now)) for user in pagination.items]
    return pagination


def member_of(organisation: Organisation, user_id: int) -> User | None:
    """A user of ``organisation`` that is not removed; None otherwise (another tenant's id)."""
    return db.session.scalar(select(User).where(User.id == user_id, User.organisation_id == organisation.id,
                                                User.removed_at.is_(None)))


def _require_member(organisation: Organisation, user_id: int) -> User:
    user = member_of(organisation, user_id)
    if user is None:
        raise MemberRefused("There is no such user in your organisation.", kind=RefusalKind.NOT_FOUND)
    return user


def _role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise MemberRefused("Choose administrator or member.") from None


def _lock_organisation(organisation: Organisation) -> None:
    locked_one(select(Organisation).where(Organisation.id == organisation.id))


def _active_admins(organisation: Organisation) -> int:
    return db.session.scalar(select(func.count(User.id)).where(
        User.organisation_id == organisation.id, User.role == Role.ADMIN.value, User.is_enabled.is_(True),
        User.removed_at.is_(None))) or 0


def _require_another_admin(organisation: Organisation, user: User) -> None:
    if user.is_admin and user.is_enabled and _active_admins(organisation) <= 1:
        raise LastAdministrator(f"{user.email} is the last administrator of {organisation.name}: "
                                "make another user an administrator first.")


def _scramble(user: User) -> None:
    """A new unusable password (nothing hashed): every invitation link sent before stops working."""
    user.set_unusable_password()


def invite_member(organisation: Organisation, email: str, role: str | Role, now: datetime, *,
                  actor: User | None = None) -> Invitation:
    """Invites ``email`` into ``organisation`` with ``role``: a disabled user with an invitation
    token (``app.accounts.invitations``), or the user again when it had been removed. Refuses
    an address of another organisation's account, of a user already here, or one invited
    already (resend that invitation instead). Recorded in the organisation's activity log as
    done by ``actor``."""
    role, email = _role(role), normalise_email(email)
    if not email or "@" not in email or len(email) > 254:
        raise MemberRefused("Enter a valid e-mail address.")
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and existing.organisation_id != organisation.id:
        raise EmailTaken(f"{email} already has an account with another organisation.")
    if existing is not None and existing.removed_at is None:
        if existing.is_enabled:
            raise EmailTaken(f"{email} is already a user of {organisation.name}.")
        raise AlreadyInvited(f"{email} is invited already: resend the invitation instead.")
    if existing is not None:  # removed before: invited again
        existing.removed_at, existing.role, existing.is_enabled = None, role.value, False
        _scramble(existing)
    user, token = invite(organisation, email, role)
    user.invited_at = now
    db.session.flush()
    what = "an administrator" if role is Role.ADMIN else "a member"
    record_activity(organisation.id, "invitation.sent", f"{email} invited as {what}", actor=actor, subject=user, now=now)
    return Invitation(user, token)


def invite_for_seat(organisation: Organisation, email: str, now: datetime) -> Invitation:
    """The user a seat is assigned to: an existing user of ``organisation`` (no token), or a new
    member invited (with a token). Refuses an address of another organisation's account."""
    email = normalise_email(email)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and existing.organisation_id == organisation.id and existing.removed_at is None:
        # Invited but not accepted yet: the same link again (it still has to choose a password).
        return Invitation(existing, None if existing.is_enabled else invitation_token(existing))
    return invite_member(organisation, email, Role.MEMBER, now)


def resend_invitation(organisation: Organisation, user_id: int, now: datetime, *, actor: User | None = None) -> Invitation:
    """A fresh invitation token for a user who has not accepted yet; the previous link stops
    working and the expiry starts again. Recorded as done by ``actor``."""
    user = _require_member(organisation, user_id)
    if user.is_enabled:
        raise NotPending(f"{user.email} has accepted the invitation already.")
    _scramble(user)
    user.invited_at = now
    db.session.flush()
    record_activity(organisation.id, "invitation.sent", f"Invitation resent to {user.email}", actor=actor, subject=user, now=now)
    return Invitation(user, invitation_token(user))


def revoke_invitation(organisation: Organisation, user_id: int, now: datetime, *, actor: User | None = None) -> User:
    """Withdraws a pending invitation: its link stops working and the user leaves the list.
    Recorded as done by ``actor``."""
    user = _require_member(organisation, user_id)
    if user.is_enabled:
        raise NotPending(f"{user.email} has accepted the invitation already: remove the user instead.")
    _remove(user, now)
    record_activity(organisation.id, "invitation.revoked", f"Invitation of {user.email} revoked", actor=actor, subject=user, now=now)
    return user


def change_role(organisation: Organisation, user_id: int, role: str | Role, acting: User) -> User:
    """Sets a user's role. Refuses changing one's own role and demoting the last administrator."""
    role = _role(role)
    _lock_organisation(organisation)
    user = _require_member(organisation, user_id)
    if user.id == acting.id:
        raise NotYourself("You cannot change your own role: ask another administrator.")
    if role is Role.MEMBER:
        _require_another_admin(organisation, user)
    before, user.role = user.role, role.value
    db.session.flush()
    if before != user.role:
        record_activity(organisation.id, "user.role_changed", f"Role of {user.email} changed from {before} to {user.role}",
                        actor=acting, subject=user)
    return user


def remove_member(organisation: Organisation, user_id: int, acting: User, now: datetime) -> User:
    """Removes a user: signed out for good, hidden from the list, its seats released. Refuses
    removing oneself and the last administrator."""
    _lock_organisation(organisation)
    user = _require_member(organisation, user_id)
    if user.id == acting.id:
        raise NotYourself("You cannot remove yourself: ask another administrator.")
    _require_another_admin(organisation, user)
    _remove(user, now)
    record_activity(organisation.id, "user.removed", f"{user.email} removed", actor=acting, subject=user, now=now)
    return user


def _remove(user: User, now: datetime) -> None:
    user.removed_at, user.is_enabled = now, False
    _scramble(user)
    for undo in ON_REMOVE:
        undo(user, now)
    db.session.flush()


def update_profile(user: User, name: str) -> None:
    """Sets the user's own display name (trimmed, 1 to 200 characters)."""
    name = (name or "").strip()
    if not name:
        raise InvalidProfile("Enter your name.")
    if len(name) > 200:
        raise InvalidProfile("Use at most 200 characters.")
    user.name = name

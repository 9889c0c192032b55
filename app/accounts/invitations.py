"""Invitations: a customer's administrator (or a single-user subscription's end user) gets an
account that is switched on when they choose a password through a signed link.

The invited user is created disabled with an unusable password (a random marker that matches
nothing and costs no hashing: ``app.accounts.passwords``). The link carries a signed,
time-limited token naming the user and a fragment of the stored password value, so it stops
working once a password is chosen or the marker is renewed (or after ``INVITATION_MAX_AGE``).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.accounts.models import Role, User
from app.accounts.services import check_password_policy, normalise_email
from app.accounts.verification import confirm_address
from app.core.clock import current_now
from app.core.errors import Refusal
from app.extensions import db

INVITATION_MAX_AGE = timedelta(days=14)


class InvitationInvalid(Refusal):
    """The link is unknown, used already, or expired; ``message`` says what to do."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invitation_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "hash": user.password_hash[-16:]})


def invite(organisation, email: str, role: Role = Role.ADMIN) -> tuple[User, str | None]:
    """The user for ``email`` in ``organisation`` and an invitation token, creating the user
    (disabled until it accepts) when there is none; the token is ``None`` for someone who
    already has a working account (they sign in as usual). Not committed."""
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, organisation=organisation, role=role.value, is_enabled=False)
        user.set_unusable_password()
        db.session.add(user)
        db.session.flush()
    if user.is_enabled:
        return user, None
    return user, invitation_token(user)


def invited_user(token: str) -> User:
    """The user a valid invitation token names, or ``InvitationInvalid``."""
    try:
        data = _serializer().loads(token, max_age=int(INVITATION_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise InvitationInvalid("This invitation has expired. Ask whoever invited you to send a new one.") from None
    except BadSignature:
        raise InvitationInvalid("This invitation link is not valid.") from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or user.password_hash[-16:] != data.get("hash") or user.is_enabled:
        raise InvitationInvalid("This invitation was used already. Sign in with your password.")
    return user


def accept_invitation(token: str, password: str, min_length: int, now: datetime | None = None) -> User:
    """Sets the invited user's password and switches the account on (not committed); the
    address counts as verified (the invitation reached it). Raises ``InvitationInvalid`` or
    ``PasswordTooWeak``; nothing changes then."""
    user = invited_user(token)
    check_password_policy(password, min_length)
    user.set_password(password)
    user.is_enabled = True
    confirm_address(user, now or current_now())
    return user

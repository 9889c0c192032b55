"""Password reset by a signed, single-use, expiring link.

The token names the user and a digest of the current password hash, so it stops working the
moment the password changes (used once, or changed otherwise), and after
``PASSWORD_RESET_MAX_AGE``. Asking for a link answers the same whether an account exists or
not; only an enabled account gets one (an invited user activates through the invitation).
Other sessions of the user stay signed in.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts import tokens
from app.accounts.models import User
from app.accounts.services import check_password_policy, normalise_email
from app.accounts.verification import confirm_address
from app.core.errors import Refusal
from app.extensions import db

PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
PURPOSE = "password-reset"


class ResetLinkInvalid(Refusal):
    """The link was used already, tampered with, or the password changed since."""

    message = "This password reset link was used already or is not valid. Ask for a new one."


class ResetLinkExpired(ResetLinkInvalid):
    message = "This password reset link has expired. Ask for a new one."


def reset_token(user: User) -> str:
    return tokens.sign(PURPOSE, {"user": user.id, "password": tokens.digest(user.password_hash)})


def account_to_reset(email: str) -> User | None:
    """The enabled account of ``email``, if any: whom a reset link may be sent to."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email or ""), User.is_enabled.is_(True)))


def user_for_reset(token: str) -> User:
    """The user a valid, unused reset token names; ``ResetLinkExpired`` or ``ResetLinkInvalid``."""
    try:
        payload = tokens.read(PURPOSE, token, PASSWORD_RESET_MAX_AGE)
    except tokens.TokenExpired:
        raise ResetLinkExpired() from None
    except tokens.TokenInvalid:
        raise ResetLinkInvalid() from None
    user_id = payload.get("user")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_enabled or tokens.digest(user.password_hash) != payload.get("password"):
        raise ResetLinkInvalid()
    return user


def reset_password(token: str, password: str, min_length: int, now: datetime) -> User:
    """Sets the password of the user the token names (not committed), which voids the token,
    and counts the address as verified (the link reached it). Raises ``ResetLinkExpired``,
    ``ResetLinkInvalid`` or ``PasswordTooWeak``; nothing changes then."""
    user = user_for_reset(token)
    check_password_policy(password, min_length)
    user.set_password(password)
    confirm_address(user, now)
    return user

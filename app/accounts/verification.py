"""E-mail verification: a signed link proves that the user reads the address they gave.

The token names the user and a digest of the address (a changed address voids it) and expires
after ``VERIFICATION_MAX_AGE``. Using it once more changes nothing. Until verified, the
checkout refuses the user's orders (``app.orders.gates``).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from app.accounts import tokens
from app.accounts.models import User
from app.core.errors import Refusal, RefusalKind
from app.extensions import db

VERIFICATION_MAX_AGE = timedelta(days=3)
PURPOSE = "email-verification"


class VerificationLinkInvalid(Refusal):
    """The link was tampered with or names no account; ``message`` says what to do."""

    message = "This confirmation link is not valid. Sign in and ask for a new one."


class VerificationLinkExpired(VerificationLinkInvalid):
    message = "This confirmation link has expired. Sign in and ask for a new one."


class AlreadyVerified(VerificationLinkInvalid):
    kind = RefusalKind.CONFLICT
    message = "Your e-mail address is confirmed already."


def verification_token(user: User) -> str:
    return tokens.sign(PURPOSE, {"user": user.id, "email": tokens.digest(user.email)})


def confirm_address(user: User, now: datetime) -> None:
    """Records that ``user`` proved their address (a link we mailed reached them), once."""
    if user.email_verified_at is None:
        user.email_verified_at = now


def verify_email(token: str, now: datetime) -> User:
    """Marks the address the token names as verified (not committed) and returns its user.
    Raises ``VerificationLinkExpired``, ``VerificationLinkInvalid`` (tampered, another
    address, no such user) or ``AlreadyVerified``; nothing changes then."""
    try:
        payload = tokens.read(PURPOSE, token, VERIFICATION_MAX_AGE)
    except tokens.TokenExpired:
        raise VerificationLinkExpired() from None
    except tokens.TokenInvalid:
        raise VerificationLinkInvalid() from None
    user_id = payload.get("user")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or tokens.digest(user.email) != payload.get("email"):
        raise VerificationLinkInvalid()
    if user.email_verified:
        raise AlreadyVerified()
    confirm_address(user, now)
    return user

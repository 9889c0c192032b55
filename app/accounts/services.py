"""Sign-in with throttling (and the same throttling for sign-ups and e-mailed links), password
policy, and safe redirects after sign-in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import urlsplit

from sqlalchemy import bindparam, delete, func, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.models import LoginAttempt, Organisation, User
from app.accounts.passwords import refuse_in_equal_time
from app.core.clock import current_now
from app.extensions import db

# Figures other areas read with the signed-in user, in the same query (e.g. the cart's line
# count for the navbar): name -> a scalar subquery correlated to ``User``. Register at import.
USER_FIGURES: dict[str, Callable[[], object]] = {}
_user_statement = None


def _signed_in_user_statement():
    global _user_statement
    if _user_statement is None:  # built once: the figures are registered when the app is made
        figures = [make().label(name) for name, make in USER_FIGURES.items()]
        _user_statement = (
            select(User, *figures)
            .options(
                joinedload(User.organisation).joinedload(Organisation.parent),
                joinedload(User.organisation).joinedload(Organisation.billing_info),
            )
            .where(User.id == bindparam("user_id"))
        )
    return _user_statement


def load_signed_in_user(user_id: int) -> User | None:
    """The user, its organisation, that organisation's parent and billing information (every
    page shows the organisation and prices by its parent; the cart and the checkout need who is
    invoiced) in one query; ``user.figures`` holds the registered ``USER_FIGURES`` as read in
    the same query."""
    statement = _signed_in_user_statement()
    row = db.session.execute(statement, {"user_id": user_id}).first()
    if row is None:
        return None
    user, *values = row
    user.figures = dict(zip(USER_FIGURES, values))
    return user


class Throttled(Exception):
    """Too many recent attempts of one action for this e-mail address or client address."""

    attempts = "requests"  # what there were too many of, as the message says it

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, int(retry_after.total_seconds() // 60) + (1 if retry_after.total_seconds() % 60 else 0))
        super().__init__(f"Too many {self.attempts}. Try again in {minutes} minute{'s' if minutes != 1 else ''}.")
        self.retry_after = retry_after


class SignInThrottled(Throttled):
    """Too many recent failures for this e-mail address or client address."""

    attempts = "failed sign-in attempts"


class PasswordTooWeak(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta


SIGN_IN = "sign_in"  # the action of a failed sign-in; other actions name themselves (``throttle``)


def _throttle_check(email: str, client_address: str, policy: ThrottlePolicy, now: datetime,
                    action: str = SIGN_IN, refusal: type[Throttled] = SignInThrottled) -> None:
    since = now - policy.window
    rows = db.session.execute(
        select(func.count(LoginAttempt.id), func.min(LoginAttempt.attempted_at)).where(
            LoginAttempt.action == action,
            LoginAttempt.attempted_at >= since,
            or_(LoginAttempt.email == email, LoginAttempt.client_address == client_address),
        )
    ).one()
    failures, oldest = rows
    if failures >= policy.max_failures:
        raise refusal(oldest + policy.window - now)


def _record_attempt(action: str, email: str, client_address: str, now: datetime) -> None:
    db.session.add(LoginAttempt(action=action, email=email[:254], client_address=client_address[:64], attempted_at=now))
    db.session.commit()


def throttle(action: str, email: str, client_address: str, policy: ThrottlePolicy, now: datetime | None = None) -> None:
    """Counts one attempt of ``action`` (a sign-up, a password-reset or verification-link
    request) for this e-mail address and client address, committed at once so that it counts
    whatever happens next; raises ``Throttled`` and records nothing when either has reached
    ``policy.max_failures`` attempts within the window (every attempt counts, not only
    failures: each may send an e-mail)."""
    now = now or current_now()
    email = normalise_email(email)
    _throttle_check(email, client_address, policy, now, action, Throttled)
    _record_attempt(action, email, client_address, now)


def authenticate(email: str, password: str, client_address: str, policy: ThrottlePolicy, now: datetime | None = None) -> User | None:
    """The user for these credentials, or ``None`` (and the failure is recorded).

    Raises ``SignInThrottled`` before checking the password when the e-mail address or the
    client address has reached the failure limit within the window; a success does not wipe
    the count, so guessing cannot be interleaved with a known good account. Every refusal
    costs one password check (an unknown address, a disabled or invited user: against a dummy
    hash), so its time does not tell which it was.
    """
    now = now or current_now()
    email = normalise_email(email)
    _throttle_check(email, client_address, policy, now)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_enabled:
        refuse_in_equal_time(password)
    elif user.check_password(password):
        user.last_signed_in_at = now  # the organisation's users page shows it
        db.session.commit()
        return user
    _record_attempt(SIGN_IN, email, client_address, now)
    return None


def purge_login_attempts(older_than: timedelta = timedelta(days=1), now: datetime | None = None) -> int:
    """Deletes throttled-attempt records (of every action) older than the given age; returns how
    many. Every window is shorter than a day."""
    now = now or current_now()
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - older_than))
    db.session.commit()
    return result.rowcount or 0


def check_password_policy(password: str, min_length: int) -> None:
    """Raises ``PasswordTooWeak`` with the reason when the password is not acceptable."""
    if len(password) < min_length:
        raise PasswordTooWeak(f"Use at least {min_length} characters.")
    if password.isdigit() or password.isalpha():
        raise PasswordTooWeak("Mix letters with digits or symbols.")


class WrongPassword(ValueError):
    pass


def change_password(user: User, current: str, new: str, min_length: int) -> None:
    """Sets ``user``'s password to ``new`` (not committed) when ``current`` is right and ``new``
    meets the policy; raises ``WrongPassword`` or ``PasswordTooWeak`` and changes nothing."""
    if not user.check_password(current):
        raise WrongPassword("Your current password is not correct.")
    check_password_policy(new, min_length)
    if new == current:
        raise PasswordTooWeak("Choose a password different from the current one.")
    user.set_password(new)


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc

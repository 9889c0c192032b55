"""Stored passwords: a werkzeug hash (scrypt), or an *unusable* marker for users who have no
password yet or no longer (invited and not accepted, removed).

An unusable marker is ``!`` followed by random characters: no hash method starts with ``!``, so
it matches no password, and it costs nothing to make (an invitation of twenty people hashes
nothing). Its random tail still changes on each scramble, which is what voids the invitation
links signed over the stored value (``app.accounts.invitations``).

Checking a password against a marker, or for an address with no account, still runs one hash
check, against a dummy hash made once per process, so that a refused sign-in takes about as long
whichever the reason (unknown address, invited user, wrong password).
"""
from __future__ import annotations

import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

UNUSABLE_PREFIX = "!"


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def unusable_password() -> str:
    """A stored value that no password matches, different each time."""
    return UNUSABLE_PREFIX + secrets.token_urlsafe(32)


def is_usable(stored: str | None) -> bool:
    return bool(stored) and not stored.startswith(UNUSABLE_PREFIX)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Made with the current default method, so the dummy check costs what a real one does.
    return generate_password_hash(secrets.token_urlsafe(16))


def refuse_in_equal_time(password: str) -> bool:
    """``False``, after the same work as checking a real password (see the module's docstring)."""
    check_password_hash(_dummy_hash(), password or "")
    return False


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored value; an unusable or missing one matches nothing,
    in about the time of a real check."""
    if not is_usable(stored):
        return refuse_in_equal_time(password)
    return check_password_hash(stored, password)

"""Invited users hold an unusable password (a marker, nothing hashed) until they accept: no
password signs them in, accepting sets a real one, and inviting twenty people runs no scrypt.
Every refused sign-in costs one hash check, whatever the reason."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from app.accounts.invitations import InvitationInvalid, accept_invitation, invitation_token
from app.accounts.members import resend_invitation
from app.accounts.models import User
from app.accounts.passwords import verify_password
from app.control_panel.team import MAX_INVITATIONS, send_invitations
from app.core.clock import FixedClock
from app.extensions import db
from app.mail.models import OutboxMessage

NOW = datetime(2026, 3, 2, 10)
CHOSEN = "Chosen-password-2026"


@pytest.fixture
def scrypt_calls(monkeypatch):
    """The number of scrypt computations (werkzeug's hasher calls ``hashlib.scrypt``) so far."""
    calls = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _invite(world, *emails: str) -> list[User]:
    invited = send_invitations(world.customer, list(emails), "admin", world.users.customer, NOW)
    db.session.commit()
    return invited


def test_inviting_twenty_users_runs_no_password_hash(world, scrypt_calls):
    emails = [f"person{number}@customer-a.test" for number in range(MAX_INVITATIONS)]

    invited = _invite(world, *emails)

    assert len(invited) == 20 and len(scrypt_calls) == 0
    assert all(_user(email).password_hash.startswith("!") and not _user(email).has_usable_password for email in emails)
    assert len({_user(email).password_hash for email in emails}) == 20  # each its own random marker


def test_an_invited_user_cannot_sign_in_with_any_password(auth, world):
    _invite(world, "ann@customer-a.test")
    marker = _user("ann@customer-a.test").password_hash

    for password in (marker, marker[1:], "!", "Any-password-1"):
        assert auth.login("ann@customer-a.test", password).status_code == 401
        assert _user("ann@customer-a.test").check_password(password) is False
    assert _user("ann@customer-a.test").check_password("") is False  # the form refuses it before
    assert verify_password(marker, marker) is False and verify_password("!", "") is False


def test_the_marker_matches_nothing_even_on_an_enabled_account(auth, world):
    user = world.users.customer
    user.set_unusable_password()
    db.session.commit()
    marker = user.password_hash

    for password in (marker, marker[1:], "Any-password-1"):
        assert auth.login("admin@customer-a.test", password).status_code == 401
    assert user.check_password("") is False


def test_accepting_the_invitation_sets_a_password_that_signs_in(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    _invite(world, "ann@customer-a.test")
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == "ann@customer-a.test"))
    link = re.search(r"http://127\.0\.0\.1:5000(/invitations/\S+)", body).group(1)

    accepted = client.post(link, data={"new_password": CHOSEN, "confirm_password": CHOSEN})

    user = _user("ann@customer-a.test")
    assert accepted.status_code == 302 and user.is_enabled and user.has_usable_password
    assert user.password_hash.startswith("scrypt:")
    auth.logout()
    assert auth.login("ann@customer-a.test", "Another-password-1").status_code == 401
    assert auth.login("ann@customer-a.test", CHOSEN).status_code == 302


def test_a_resent_invitation_renews_the_marker_and_voids_the_first_link(app, world):
    (user,) = _invite(world, "ann@customer-a.test")
    first_token, first_marker = invitation_token(user), user.password_hash
    resend_invitation(world.customer, user.id, NOW)
    db.session.commit()

    assert user.password_hash != first_marker and not user.has_usable_password
    with pytest.raises(InvitationInvalid, match="used already"):
        accept_invitation(first_token, CHOSEN, app.config["MIN_PASSWORD_LENGTH"], NOW)


@pytest.mark.parametrize("who", ["unknown", "invited", "disabled", "wrong password"])
def test_every_refused_sign_in_costs_one_hash_check(auth, world, scrypt_calls, who):
    _invite(world, "ann@customer-a.test")
    world.users.second_customer.is_enabled = False
    db.session.commit()
    auth.login("warm-up@customer-a.test", "Wrong-password-1")  # the per-process dummy hash is made by now
    scrypt_calls.clear()
    email = {"unknown": "nobody@customer-a.test", "invited": "ann@customer-a.test",
             "disabled": "admin@customer-b.test", "wrong password": "admin@customer-a.test"}[who]

    assert auth.login(email, "Wrong-password-1").status_code == 401
    assert len(scrypt_calls) == 1

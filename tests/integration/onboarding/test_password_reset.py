"""Password reset by a signed, single-use, expiring link; asking for one never tells whether an
account exists."""
from datetime import datetime, timedelta

import pytest

from app.accounts.invitations import invite
from app.accounts.verification import verification_token
from app.core.clock import TravelClock
from app.extensions import db
from tests.factories import PASSWORD
from tests.integration.checkout.helpers import flashes
from tests.integration.onboarding.helpers import NEW_PASSWORD, counts, link_path, messages, user_of

EMAIL = "admin@customer-a.test"
USED = "This password reset link was used already or is not valid. Ask for a new one."


def _sent_to(email: str) -> str:
    return (f"If an account exists for {email}, we sent it a link to choose a new password. "
            "The link works once, within 60 minutes.")


@pytest.fixture
def clock(app, monkeypatch):
    travel = TravelClock(datetime(2026, 3, 14, 9, 30))
    monkeypatch.setitem(app.config, "CLOCK", travel)
    return travel


def _ask(client, email=EMAIL):
    return client.post("/forgot-password", data={"email": email})


def _reset_link(email=EMAIL) -> str:
    return link_path(messages("password_reset", email)[-1])


def _choose(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"new_password": password, "confirm_password": password if confirm is None else confirm})


def test_a_user_resets_a_forgotten_password_through_the_mailed_link(client, auth, world, clock):
    # when the customer's administrator asks for a link
    response = _ask(client, " Admin@Customer-A.test ")
    # then it is sent to the sign-in page, told what happens, and one message goes out
    assert (response.status_code, response.headers["Location"]) == (303, "/sign-in")
    assert _sent_to("Admin@Customer-A.test") in flashes(client.get("/sign-in"))
    [message] = messages("password_reset", EMAIL)
    assert message.subject == "Reset your password"
    assert "valid for 60 minutes, once" in message.body
    # when it opens the link and chooses a new password
    path = _reset_link()
    page = client.get(path)
    assert page.status_code == 200 and f"For {EMAIL}." in page.get_data(as_text=True)
    response = _choose(client, path)
    # then it signs in with the new password only
    assert (response.status_code, response.headers["Location"]) == (303, "/sign-in")
    assert "Your password was changed. Sign in with your new password." in flashes(client.get("/sign-in"))
    assert auth.login(EMAIL, PASSWORD).status_code == 401
    assert auth.login(EMAIL, NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_once(client, auth, world, clock):
    _ask(client)
    path = _reset_link()
    _choose(client, path)
    # when the same link is opened again, or posted again with another password
    opened = client.get(path)
    reposted = _choose(client, path, "Yet-another-secret-9")
    # then it is refused and the password stays the one chosen first
    assert opened.headers["Location"] == "/forgot-password"
    assert reposted.headers["Location"] == "/forgot-password"
    assert USED in flashes(client.get("/forgot-password"))
    assert user_of(EMAIL).check_password(NEW_PASSWORD)


def test_a_reset_link_dies_when_the_password_changes_otherwise(client, world, clock):
    _ask(client)
    path = _reset_link()
    user = user_of(EMAIL)
    user.set_password("Changed-by-hand-3")
    db.session.commit()
    assert client.get(path).headers["Location"] == "/forgot-password"
    assert user_of(EMAIL).check_password("Changed-by-hand-3")


def test_an_expired_reset_link_is_refused_and_changes_nothing(client, world, clock):
    _ask(client)
    path = _reset_link()
    clock.advance(timedelta(hours=1, seconds=1))
    response = _choose(client, path)
    assert response.headers["Location"] == "/forgot-password"
    assert "This password reset link has expired. Ask for a new one." in flashes(client.get("/forgot-password"))
    assert user_of(EMAIL).check_password(PASSWORD)


def test_a_reset_link_is_valid_for_an_hour(client, world, clock):
    _ask(client)
    path = _reset_link()
    clock.advance(timedelta(hours=1))
    _choose(client, path)
    assert user_of(EMAIL).check_password(NEW_PASSWORD)


def test_a_tampered_reset_link_or_another_links_token_is_refused(client, world, clock):
    _ask(client)
    token = _reset_link().rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    verification = verification_token(user_of(EMAIL))  # genuine, of another purpose
    for bad in (tampered, verification, "x"):
        assert _choose(client, f"/reset-password/{bad}").headers["Location"] == "/forgot-password"
    # A path parameter longer than any signed link is refused by the URL converter (issue 15, item 9).
    assert client.get("/reset-password/" + "a" * 3000).status_code == 404
    assert user_of(EMAIL).check_password(PASSWORD)


@pytest.mark.parametrize("password, confirm, message", [
    ("Short-1", None, "Use at least 10 characters."),
    ("onlyletterslong", None, "Mix letters with digits or symbols."),
    (NEW_PASSWORD, "Another-secret-8", "The two new passwords differ."),
])
def test_a_weak_new_password_is_refused_and_the_link_still_works(client, world, clock, password, confirm, message):
    _ask(client)
    path = _reset_link()
    response = _choose(client, path, password, confirm)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert user_of(EMAIL).check_password(PASSWORD)
    _choose(client, path)
    assert user_of(EMAIL).check_password(NEW_PASSWORD)


def test_asking_for_a_link_never_tells_whether_an_account_exists(client, world, clock):
    # given an account, an invited user who has not activated its account, and no account
    invite(world.customer, "invited@customer-a.example")
    db.session.commit()
    before = counts()
    # when a link is asked for each
    answers = {}
    for email in (EMAIL, "invited@customer-a.example", "nobody@nowhere.example"):
        response = _ask(client, email)
        page = client.get(response.headers["Location"])
        answers[email] = (response.status_code, response.headers["Location"], page.status_code,
                          tuple(flash.replace(email, "EMAIL") for flash in flashes(page)))
    # then the answers are the same, and only the enabled account gets a message
    assert len(set(answers.values())) == 1
    assert counts() == (before[0], before[1], before[2] + 1)
    assert len(messages("password_reset", EMAIL)) == 1
    assert messages("password_reset", "invited@customer-a.example") == []


def test_a_reset_proves_the_address_of_an_unverified_user(client, world, clock):
    user = user_of(EMAIL)
    user.email_verified_at = None
    db.session.commit()
    _ask(client)
    _choose(client, _reset_link())
    assert user_of(EMAIL).email_verified_at == clock.now()

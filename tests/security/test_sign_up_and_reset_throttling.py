"""Sign-ups and requests for e-mailed links (password reset, a new verification link) are
throttled like sign-in, in the database: every attempt counts, per e-mail address and per
client address, and each action has its own count."""
from datetime import datetime, timedelta

import pytest

from app.core.clock import TravelClock
from tests.factories import PASSWORD
from tests.integration.onboarding.helpers import attempts, counts, messages, sign_up, user_of

TOO_MANY = "Too many requests. Try again in 60 minutes."


@pytest.fixture
def clock(app, monkeypatch):
    travel = TravelClock(datetime(2026, 3, 14, 9, 30))
    monkeypatch.setitem(app.config, "CLOCK", travel)
    return travel


def _from(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_sign_ups_from_one_client_address_are_throttled(client, app, world, clock):
    # given the limit of sign-ups reached from one address, with different e-mail addresses
    limit = app.config["SIGN_UP_MAX_ATTEMPTS"]
    for number in range(limit):
        assert sign_up(client, email=f"person{number}@acme.example", password="weak", confirm_password="weak").status_code == 400
    before = counts()
    # when one more is posted, valid this time
    response = sign_up(client, email="real@acme.example")
    # then it is refused before anything is checked or written
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)
    assert counts() == before and attempts("sign_up") == limit
    # and once the window has passed it goes through
    clock.advance(app.config["SIGN_UP_WINDOW"] + timedelta(seconds=1))
    assert sign_up(client, email="real@acme.example").status_code == 302


def test_sign_ups_for_one_e_mail_address_are_throttled_across_client_addresses(client, app, world, clock):
    limit = app.config["SIGN_UP_MAX_ATTEMPTS"]
    for number in range(limit):
        _from(client, f"10.0.0.{number}")
        sign_up(client, password="weak", confirm_password="weak")
    assert sign_up(_from(client, "10.0.1.1")).status_code == 429
    assert user_of("ada@acme.example") is None


def test_reset_requests_are_throttled_without_telling_whether_the_account_exists(client, app, world, clock):
    limit = app.config["EMAIL_LINK_MAX_REQUESTS"]
    for email in ("admin@customer-a.test", "nobody@nowhere.example"):
        answers = [client.post("/forgot-password", data={"email": email}).status_code for _ in range(limit + 1)]
        _from(client, f"10.0.2.{len(email)}")  # the next address from another client: only the e-mail's count
        assert answers == [303] * limit + [429], email
    assert len(messages("password_reset", "admin@customer-a.test")) == limit


def test_reset_requests_from_one_client_address_are_throttled_across_addresses(client, app, world, clock):
    limit = app.config["EMAIL_LINK_MAX_REQUESTS"]
    for number in range(limit):
        client.post("/forgot-password", data={"email": f"guess{number}@nowhere.example"})
    response = client.post("/forgot-password", data={"email": "admin@customer-a.test"})
    assert response.status_code == 429 and TOO_MANY in response.get_data(as_text=True)
    assert messages("password_reset", "admin@customer-a.test") == []


def test_new_verification_links_are_throttled(client, app, world, clock):
    sign_up(client)
    limit = app.config["EMAIL_LINK_MAX_REQUESTS"]
    answers = [client.post("/account/verify", data={"next": "/"}).status_code for _ in range(limit + 1)]
    assert answers == [303] * limit + [429]
    assert len(messages("email_verification", "ada@acme.example")) == 1 + limit


def test_each_action_has_its_own_count(client, auth, app, world, clock):
    # given the sign-in failures of one client at their limit
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        auth.login("admin@customer-a.test", "wrong-password-1")
    assert auth.login("admin@customer-a.test", PASSWORD).status_code == 429
    # then the same client may still sign up and ask for a reset link
    assert sign_up(client).status_code == 302
    client.post("/sign-out")
    assert client.post("/forgot-password", data={"email": "admin@customer-a.test"}).status_code == 303
    # and neither counts as a failed sign-in
    assert (attempts("sign_in"), attempts("sign_up"), attempts("password_reset")) == (limit, 1, 1)

"""A reseller's white-label storefront sign-up is protected like the marketplace's own: it needs
the form's CSRF token, and sign-ups are throttled per e-mail and client address (the same count
as the main sign-up's, so switching between the two gains nothing)."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Organisation, User
from app.core.clock import TravelClock
from app.extensions import db
from tests.factories import make_storefront
from tests.integration.onboarding.helpers import SIGN_UP

TOO_MANY = "Too many requests. Try again in 60 minutes."


@pytest.fixture
def shop(world):
    make_storefront(world.reseller, slug="reseller-one")
    db.session.commit()
    return "/s/reseller-one/sign-up"


@pytest.fixture
def clock(app, monkeypatch):
    travel = TravelClock(datetime(2026, 3, 14, 9, 30))
    monkeypatch.setitem(app.config, "CLOCK", travel)
    return travel


def _users() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(User.id)))


def test_the_storefront_sign_up_refuses_a_post_without_the_csrf_token(csrf_app, shop):
    before = _users()

    response = csrf_app.test_client().post(shop, data={**SIGN_UP, "email": "nocsrf@acme.example"})

    assert response.status_code == 400
    assert _users() == before


def test_storefront_sign_ups_from_one_client_address_are_throttled(client, app, world, shop, clock):
    limit = app.config["SIGN_UP_MAX_ATTEMPTS"]
    for number in range(limit):
        weak = {**SIGN_UP, "email": f"person{number}@acme.example", "password": "weak", "confirm_password": "weak"}
        assert client.post(shop, data=weak).status_code == 400
    before = _users()

    response = client.post(shop, data={**SIGN_UP, "email": "real@acme.example"})

    assert response.status_code == 429 and TOO_MANY in response.get_data(as_text=True)
    assert _users() == before
    clock.advance(app.config["SIGN_UP_WINDOW"] + timedelta(seconds=1))
    assert client.post(shop, data={**SIGN_UP, "email": "real@acme.example"}).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "real@acme.example"))
    assert db.session.get(Organisation, user.organisation_id).parent_id == world.reseller.id


def test_the_main_sign_up_and_the_storefronts_share_one_count(client, app, world, shop, clock):
    limit = app.config["SIGN_UP_MAX_ATTEMPTS"]
    for number in range(limit):
        client.post("/sign-up", data={**SIGN_UP, "email": f"main{number}@acme.example", "password": "weak", "confirm_password": "weak"})

    assert client.post(shop, data={**SIGN_UP, "email": "other@acme.example"}).status_code == 429

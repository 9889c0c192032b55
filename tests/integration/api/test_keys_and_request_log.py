"""API keys as credentials: only the whole key authenticates (a right prefix with a wrong secret
does not), nothing of the secret is stored or logged; every request is logged with the key's
id, the route, the status and the duration."""
from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from app.api.keys import KeyRefused, authenticate, create_key
from app.api.models import ApiKey
from app.core.clock import current_now
from app.extensions import db


def test_only_the_whole_key_authenticates(world, api_key):
    token = api_key(world.users.reseller)
    prefix = token.split("_")[1]
    now = current_now()

    assert authenticate(token, now).organisation_id == world.reseller.id
    assert authenticate(f"mk_{prefix}_wrong", now) is None
    assert authenticate(token + "x", now) is None
    assert authenticate("mk_", now) is None
    assert authenticate("not-a-key", now) is None
    assert authenticate("mk_" + "a" * 300, now) is None


def test_a_member_cannot_create_a_key_and_a_scope_must_be_known(world):
    with pytest.raises(KeyRefused, match="Only administrators of Reseller One can create API keys."):
        create_key(world.reseller, "Mine", "write", _member(world), current_now())
    with pytest.raises(KeyRefused, match="Choose whether the key may only read, or read and write."):
        create_key(world.reseller, "Mine", "admin", world.users.reseller, current_now())
    assert db.session.scalar(select(ApiKey)) is None


def _member(world):
    from app.accounts.models import User

    return db.session.scalar(select(User).where(User.email == "member@reseller.test"))


def test_every_request_is_logged_with_key_route_status_and_duration_never_the_key(world, api_as, caplog):
    api = api_as(world.users.reseller, "read")
    key = db.session.scalar(select(ApiKey))

    with caplog.at_level(logging.INFO, logger="app.api.requests"):
        api.get("/api/v1/subscriptions/12345")
        api.post("/api/v1/subscriptions/12345/cancel")

    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "app.api.requests"]
    assert [(line["key_id"], line["method"], line["route"], line["status"]) for line in lines] == [
        (key.id, "GET", "/api/v1/subscriptions/<int:subscription_id>", 404),
        (key.id, "POST", "/api/v1/subscriptions/<int:subscription_id>/cancel", 403),
    ]
    assert all(line["duration_ms"] >= 0 for line in lines)
    secret = api.token.split("_", 2)[2]  # the secret itself may hold "_" (token_urlsafe)
    assert api.token not in caplog.text and secret not in caplog.text

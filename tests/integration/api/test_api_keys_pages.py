"""API keys in the panels: an administrator creates a key (shown once), sees it listed by
prefix and revokes it; members cannot reach the page; another organisation's key is not found."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.api.models import ApiKey
from app.extensions import db


def _created_secret(response) -> str:
    return re.search(rb'value="(mk_[^"]+)"', response.data).group(1).decode()


def test_a_reseller_admin_creates_a_key_shown_once_that_works_then_revokes_it(world, client, auth):
    auth.login("admin@reseller.test")

    created = client.post("/reseller/api-keys", data={"name": "Autotask sync", "scope": "read"})
    secret = _created_secret(created)
    listing = client.get("/reseller/api-keys")
    works = client.get("/api/v1/subscriptions", headers={"Authorization": f"Bearer {secret}"})
    key = db.session.scalar(select(ApiKey))
    client.post(f"/reseller/api-keys/{key.id}/revoke")
    refused = client.get("/api/v1/subscriptions", headers={"Authorization": f"Bearer {secret}"})

    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    assert secret.startswith(f"mk_{key.prefix}_")
    assert secret.encode() not in listing.data
    assert f"mk_{key.prefix}_".encode() in listing.data
    assert key.secret_hash != secret and len(key.secret_hash) == 64
    assert works.status_code == 200
    assert refused.status_code == 401
    assert refused.json["detail"] == "This API key is not valid: it is unknown or was revoked."


def test_a_customer_admin_has_the_same_page(world, client, auth):
    auth.login("admin@customer-a.test")

    created = client.post("/customer/api-keys", data={"name": "Billing", "scope": "write"})

    assert created.status_code == 201
    key = db.session.scalar(select(ApiKey))
    assert (key.organisation_id, key.scope, key.created_by_id) == (world.customer.id, "write", world.users.customer.id)


def test_members_cannot_see_or_create_keys(world, client, auth):
    auth.login("member@reseller.test")

    assert client.get("/reseller/api-keys").status_code == 403
    assert client.post("/reseller/api-keys", data={"name": "Mine", "scope": "write"}).status_code == 403
    assert db.session.scalar(select(ApiKey)) is None


def test_an_empty_name_is_refused_and_nothing_is_created(world, client, auth):
    auth.login("admin@reseller.test")

    answer = client.post("/reseller/api-keys", data={"name": "  ", "scope": "write"})

    assert answer.status_code == 400
    assert b"Give the key a name." in answer.data
    assert db.session.scalar(select(ApiKey)) is None


def test_another_organisations_key_cannot_be_revoked(world, client, auth, api_key):
    api_key(world.users.other_reseller)
    key = db.session.scalar(select(ApiKey))
    auth.login("admin@reseller.test")

    answer = client.post(f"/reseller/api-keys/{key.id}/revoke")

    assert answer.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).revoked_at is None


def test_a_reseller_in_support_mode_does_not_manage_its_customers_keys(world, client, auth, api_key):
    api_key(world.users.customer)
    key = db.session.scalar(select(ApiKey))
    auth.login("admin@reseller.test")
    client.post(f"/reseller/customers/{world.customer.id}/support")

    page = client.get("/customer/api-keys")
    revoke = client.post(f"/customer/api-keys/{key.id}/revoke")
    create = client.post("/customer/api-keys", data={"name": "Mine", "scope": "write"})
    subscriptions = client.get("/customer/subscriptions")

    assert (page.status_code, revoke.status_code, create.status_code) == (404, 404, 404)
    assert b"/customer/api-keys" not in subscriptions.data
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).revoked_at is None
    assert db.session.scalar(select(func.count(ApiKey.id))) == 1

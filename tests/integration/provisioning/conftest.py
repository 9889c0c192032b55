"""Fixtures for provisioning: orders ready to hand off, a clean Redis, fast settings."""
from __future__ import annotations

import pytest
from redis import Redis

from app.extensions import db
from tests import factories
from tests.conftest import TEST_REDIS_URL


@pytest.fixture
def redis_client():
    client = Redis.from_url(TEST_REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def clean_redis(redis_client):
    """An empty Redis database (no worker may be running in tests that use it)."""
    redis_client.flushdb()
    return redis_client


@pytest.fixture
def fast_provisioning(app, monkeypatch):
    """In-process settings: an instant demo vendor, three attempts, short back-off."""
    for key, value in {"DEMO_VENDOR_LATENCY": 0.0, "PROVISIONING_MAX_ATTEMPTS": 3, "PROVISIONING_RETRY_BASE_SECONDS": 2.0,
                       "PROVISIONING_LEASE_SECONDS": 30.0, "PROVISIONING_REQUEUE_AFTER": 60.0}.items():
        monkeypatch.setitem(app.config, key, value)
    return app.config


@pytest.fixture
def place_order(world):
    """``place_order(connector="demo", settings={...}, lines=1)``: an order of Customer A for the
    customer plan (placed by its admin), whose product uses the given connector."""

    def place(connector: str = "demo", settings: dict | None = None, lines: int = 1, parameters: dict | None = None,
              buyer=None, plan=None):
        world.product.connector = connector
        world.product.connector_settings = settings or {}
        buyer = buyer or world.customer
        placed_by = next((user for user in buyer.users if user.is_admin), None)
        order = factories.make_order(buyer, [{"plan": plan or world.customer_plan, "parameters": parameters or {}}] * lines,
                                     placed_by=placed_by)
        db.session.flush()
        return order

    return place

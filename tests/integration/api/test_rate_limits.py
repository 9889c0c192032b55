"""Rate limits per API key, counted in the real Redis: over the limit the API answers 429 with
Retry-After and the RateLimit-* headers; another key has its own budget."""
from __future__ import annotations

import pytest

from tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.redis


def test_a_key_over_its_limit_gets_429_with_retry_after_and_another_key_is_unaffected(world, fresh_app, api_key):
    app = fresh_app(API_RATE_LIMIT="3 per minute", API_RATE_LIMIT_STORAGE_URI=TEST_REDIS_URL)
    busy, calm = api_key(world.users.reseller), api_key(world.users.customer)
    client = app.test_client()

    answers = [client.get("/api/v1/subscriptions", headers={"Authorization": f"Bearer {busy}"}) for _ in range(4)]
    other = client.get("/api/v1/subscriptions", headers={"Authorization": f"Bearer {calm}"})

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert answers[0].headers["RateLimit-Remaining"] == "2"
    limited = answers[3]
    assert limited.mimetype == "application/problem+json"
    assert limited.json["detail"] == "Too many requests for this API key: wait and retry."
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert "RateLimit-Reset" in limited.headers
    assert other.status_code == 200

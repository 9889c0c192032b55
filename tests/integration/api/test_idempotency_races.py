"""Concurrent POSTs with one Idempotency-Key, on PostgreSQL with real threads (each request its
own connection): one effect, and every request gets the same answer."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.billing.models import Invoice
from app.extensions import db
from app.orders.models import Order
from app.plans.models import Subscription
from tests.integration.api.conftest import order_lines

pytestmark = pytest.mark.postgres_only  # skipped on SQLite (tests/conftest.py), which serialises every writer


def test_fifty_concurrent_posts_of_one_order_with_one_key_place_one_order_and_answer_alike(
        app, world, api_key, buying_reseller, handed_off):
    # given a quoted order and a write key of the reseller
    token = api_key(world.users.reseller)
    headers = {"Authorization": f"Bearer {token}"}
    lines = order_lines(world)
    quote = app.test_client().post("/api/v1/orders/quote", json={"lines": lines}, headers=headers).json
    body = {"lines": lines, "fingerprint": quote["quote"]["fingerprint"],
            "accepted_terms": [terms["token"] for terms in quote["terms"]]}
    db.session.commit()
    start = threading.Barrier(50)

    def post(_):
        start.wait()
        response = app.test_client().post("/api/v1/orders", json=body, headers={**headers, "Idempotency-Key": "race-1"})
        return response.status_code, response.get_data(as_text=True)

    # when fifty POSTs of it with one Idempotency-Key race
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(post, range(50)))

    # then one order, one invoice and one subscription exist, and all fifty answers are the same 201
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.scalar(select(func.count(Invoice.id))) == db.session.scalar(select(func.count(Subscription.id))) == 1
    assert len(set(answers)) == 1
    assert answers[0][0] == 201
    assert handed_off == [db.session.scalar(select(Order.number))]

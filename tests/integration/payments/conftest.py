"""Payments fixtures: localstripe, a buyer with an order to pay, hook recorders, a live server."""
from __future__ import annotations

import itertools
import threading
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.orders.models import Order
from app.payments import hooks
from tests import factories

_order_numbers = itertools.count(1)


@pytest.fixture
def buyer(app):
    """A reseller organisation with an admin, in a US marketplace."""
    marketplace = factories.make_marketplace("US", "USD")
    distributor = factories.make_distributor()
    reseller = factories.make_reseller(distributor, name="Reseller One", marketplace=marketplace)
    admin = factories.make_user(reseller, "admin@reseller.test")
    member = factories.make_user(reseller, "member@reseller.test", role="member")
    db.session.commit()
    return SimpleNamespace(organisation=reseller, marketplace=marketplace, admin=admin, member=member, distributor=distributor)


@pytest.fixture
def make_order(buyer):
    """``make_order(total)``: a minimal placed order of the buyer (what the checkout would write)."""

    def build(total: int = 12_345, organisation=None) -> Order:
        number = next(_order_numbers)
        order = Order(number=f"ORD-TEST-{number:06d}", buyer_id=(organisation or buyer.organisation).id,
                      marketplace_id=buyer.marketplace.id, currency="USD", subtotal=total, total=total,
                      payment_method="card", idempotency_key=f"test-order-{number}")
        db.session.add(order)
        db.session.commit()
        return order

    return build


class HookRecorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.succeeded: list[int] = []
        self.failed: list[tuple[int, str]] = []
        self.refunded: list[int] = []

    def record(self, outcome: str):
        def hook(order_id, *details):
            with self.lock:
                getattr(self, outcome).append((order_id, *details) if details else order_id)

        return hook


@pytest.fixture
def payment_hooks(monkeypatch):
    """Records every hook call instead of the default logging ones."""
    recorder = HookRecorder()
    for outcome in ("succeeded", "failed", "refunded"):
        monkeypatch.setitem(hooks.PAYMENT_HOOKS, outcome, recorder.record(outcome))
    return recorder


@pytest.fixture
def live_app(live_server):
    """The app served on a free loopback port (for webhooks from other processes)."""
    return live_server

"""The partner API's test helpers: keys for the world's users and a client that sends them."""
from __future__ import annotations

import pytest

from app.api.keys import create_key
from app.core.clock import current_now
from app.extensions import db


class ApiClient:
    """The test client with ``Authorization: Bearer <key>`` on every request."""

    def __init__(self, client, token: str | None) -> None:
        self.client, self.token = client, token

    def _headers(self, headers: dict | None) -> dict:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        out.update(headers or {})
        return out

    def get(self, path: str, headers: dict | None = None, **kwargs):
        return self.client.get(path, headers=self._headers(headers), **kwargs)

    def post(self, path: str, json=None, headers: dict | None = None, **kwargs):
        return self.client.post(path, json=json, headers=self._headers(headers), **kwargs)


@pytest.fixture
def api_key(world):
    """``api_key(user, scope="write")``: a new key of the user's organisation, committed; its token."""

    def make(user, scope: str = "write", name: str = "PSA sync") -> str:
        created = create_key(user.organisation, name, scope, user, current_now())
        db.session.commit()
        return created.secret

    return make


@pytest.fixture
def api_as(client, api_key):
    """``api_as(user, scope="write")``: an ``ApiClient`` with a new key of ``user``'s organisation."""

    def make(user, scope: str = "write") -> ApiClient:
        return ApiClient(client, api_key(user, scope))

    return make


def active_subscription(world, owner=None, payer=None, seats: int = 8, status: str | None = None):
    """An activated subscription of ``owner`` (world.customer) to the customer plan's first term,
    paid by ``payer`` (world.reseller), with ``seats`` seats; flushed."""
    from app.plans.lifecycle import activate
    from app.plans.models import Subscription, SubscriptionResource

    owner = owner or world.customer
    payer = payer or (owner.parent if owner.is_customer else owner)
    term = world.customer_plan.terms[0]
    subscription = Subscription(owner_id=owner.id, payer_id=payer.id, plan_id=world.customer_plan.id,
                                plan_term_id=term.id, marketplace_id=world.us.id, currency="USD",
                                resources=[SubscriptionResource(resource_id=world.seats.id, quantity=seats)])
    db.session.add(subscription)
    db.session.flush()
    activate(subscription.id, current_now())
    if status is not None:
        subscription.status = status
    db.session.flush()
    return subscription


@pytest.fixture
def handed_off(monkeypatch):
    """The orders handed to provisioning, in order (no job is queued)."""
    orders = []
    monkeypatch.setattr("app.orders.settlement.hand_off", lambda order, now=None: orders.append(order.number))
    return orders


@pytest.fixture
def buying_reseller(world):
    """world.reseller ready to buy on account: billing information and a credit limit."""
    from tests.factories import make_billing_info

    make_billing_info(world.reseller)
    world.reseller.credit_limit = 10_000_000
    db.session.commit()
    return world.reseller


def order_lines(world, seats: int = 6, **line) -> list[dict]:
    """One line of the reseller plan's monthly term for the buyer itself."""
    term = next(term for term in world.reseller_plan.terms if term.code == "monthly")
    return [{"plan_term_id": term.id, "quantities": {"seats": seats}, **line}]

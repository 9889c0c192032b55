"""Events are written with their cause, one per organisation that may see it, with a delivery
per subscribed endpoint; the event list pages by cursor within one tenant."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.plans.lifecycle import cancel
from app.webhooks.endpoints import register_endpoint
from app.webhooks.events import emit, events_since
from app.webhooks.models import Event, WebhookDelivery
from tests.integration.plans.conftest import subscribe  # noqa: F401  (fixture)

FEB_1 = datetime(2026, 2, 1, 9)
FEB_11 = datetime(2026, 2, 11, 15)


def _types(organisation) -> list[str]:
    return list(db.session.scalars(select(Event.type).where(Event.organisation_id == organisation.id).order_by(Event.id)))


def test_a_customers_subscription_events_reach_the_customer_and_its_reseller_not_the_distributor(world, subscribe):
    subscription = subscribe(FEB_1)

    cancel(subscription.id, FEB_11)
    db.session.commit()

    assert _types(world.customer) == ["subscription.activated", "subscription.canceled"]
    assert _types(world.reseller) == ["subscription.activated", "subscription.canceled"]
    assert _types(world.distributor) == [] and _types(world.other_reseller) == []
    canceled = db.session.scalar(select(Event).where(Event.organisation_id == world.customer.id, Event.type == "subscription.canceled"))
    assert canceled.public_id.startswith("evt_") and canceled.created_at == FEB_11
    assert canceled.data["id"] == subscription.id and canceled.data["status"] == "canceled"
    assert canceled.data["quantities"] == {"seats": 8, "quickstart": 0}
    assert canceled.data["cancel_at_period_end"] is True and canceled.data["current_period_end"] == "2026-03-01T09:00:00Z"


def test_an_event_makes_a_delivery_for_each_enabled_endpoint_subscribed_to_its_type(world, subscribe):
    wants = register_endpoint(world.reseller, "https://psa.example.test/hooks", ["subscription.canceled"], "", user=None, now=FEB_1)
    register_endpoint(world.reseller, "https://other.example.test/hooks", ["invoice.paid"], "", user=None, now=FEB_1)
    disabled = register_endpoint(world.reseller, "https://off.example.test/hooks", ["subscription.canceled"], "", user=None, now=FEB_1)
    disabled.status = "disabled"
    subscription = subscribe(FEB_1)

    cancel(subscription.id, FEB_11)
    db.session.commit()

    deliveries = db.session.scalars(select(WebhookDelivery)).all()
    assert [(d.endpoint_id, d.event.type, d.state, d.next_attempt_at) for d in deliveries] == [
        (wants.id, "subscription.canceled", "pending", FEB_11)]


def test_a_rolled_back_cause_leaves_no_event_and_no_delivery(world, subscribe):
    register_endpoint(world.customer, "https://a.example.test/", ["subscription.canceled"], "", user=None, now=FEB_1)
    subscription = subscribe(FEB_1)

    cancel(subscription.id, FEB_11)
    db.session.rollback()

    assert db.session.scalar(select(func.count(Event.id)).where(Event.type == "subscription.canceled")) == 0
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0
    assert "webhook_deliveries" not in db.session.info


def test_events_page_by_cursor_and_a_cursor_of_another_tenant_is_not_found(world):
    for number in range(5):
        emit("invoice.paid", [world.customer.id], {"object": "invoice", "id": number}, FEB_1)
    emit("invoice.paid", [world.foreign_customer.id], {"object": "invoice", "id": 99}, FEB_1)
    db.session.commit()

    first, more = events_since(world.customer, None, 2)
    second, more_after_second = events_since(world.customer, first[-1].public_id, 2)
    last, more_after_last = events_since(world.customer, second[-1].public_id, 2)

    assert [e.data["id"] for e in first + second + last] == [0, 1, 2, 3, 4]
    assert (more, more_after_second, more_after_last) == (True, True, False)
    foreign = events_since(world.foreign_customer, None, 10)[0]
    assert [e.data["id"] for e in foreign] == [99]
    with pytest.raises(LookupError):
        events_since(world.customer, foreign[0].public_id, 10)
    with pytest.raises(ValueError):
        emit("order.exploded", [world.customer.id], {}, FEB_1)

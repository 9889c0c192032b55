"""Events are kept EVENT_RETENTION_DAYS (30 by default), then an hourly duty deletes them with
their finished deliveries, in batches; an event whose delivery is still pending (a retry to
come) stays until that delivery ends."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.core.clock import FixedClock
from app.extensions import db
from app.webhooks.endpoints import register_endpoint, send_test_event
from app.webhooks.events import emit
from app.webhooks.jobs import purge_old_events_job
from app.webhooks.models import Event, WebhookDelivery
from app.webhooks.retention import purge_old_events

NOW = datetime(2026, 3, 2, 10)


def _event(world, age: timedelta) -> set[str]:
    """An order.placed event (a row for the customer and one for its reseller); no endpoint takes it."""
    return {event.public_id for event in emit("order.placed", [world.customer.id], {"id": 1}, NOW - age)}


def _delivered(world, endpoint, age: timedelta, state: str, **fields) -> tuple[str, int]:
    delivery = send_test_event(world.reseller, endpoint.id, NOW - age)
    delivery.state = state
    for name, value in fields.items():
        setattr(delivery, name, value)
    return delivery.event.public_id, delivery.id


def _commit() -> None:
    db.session.info.pop("webhook_deliveries", None)  # no delivery job: these are finished or come later
    db.session.commit()


def _events() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(Event.public_id)))


def _deliveries() -> set[int]:
    return set(db.session.scalars(select(WebhookDelivery.id)))


def test_the_hourly_duty_deletes_old_events_and_their_finished_deliveries_and_keeps_pending_ones(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    endpoint = register_endpoint(world.reseller, "https://a.example.test/", ["order.completed"], "", user=None, now=NOW - timedelta(days=60))
    old = _event(world, timedelta(days=30, seconds=1))
    fresh = _event(world, timedelta(days=29, hours=23))
    delivered, delivered_id = _delivered(world, endpoint, timedelta(days=40), "delivered")
    failed, failed_id = _delivered(world, endpoint, timedelta(days=40), "failed")
    retrying, retrying_id = _delivered(world, endpoint, timedelta(days=40), "pending", attempts=3,
                                       next_attempt_at=NOW + timedelta(hours=1))
    recent, recent_id = _delivered(world, endpoint, timedelta(days=1), "delivered")
    _commit()
    before = _events()

    removed = purge_old_events_job()

    assert _events() == before - old - {delivered, failed}
    assert fresh | {retrying, recent} <= _events()
    assert removed == len(old) + 2
    assert _deliveries() == {retrying_id, recent_id}
    # the retrying delivery ends: the next run takes its event
    db.session.get(WebhookDelivery, retrying_id).state = "delivered"
    _commit()
    assert purge_old_events_job() == 1
    assert retrying not in _events() and _deliveries() == {recent_id}


def test_it_deletes_in_batches_and_honours_the_setting(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    ancient = set().union(*(_event(world, timedelta(days=90 + number)) for number in range(5)))
    middle = _event(world, timedelta(days=45))
    _commit()

    monkeypatch.setitem(app.config, "EVENT_RETENTION_DAYS", 60)
    assert purge_old_events_job() == len(ancient) == 10
    assert _events() == middle

    assert purge_old_events(NOW, timedelta(days=30), batch=1) == 2
    assert _events() == set()


def test_the_scheduler_runs_it_hourly(app):
    from app.worker import periodic_duties

    assert (purge_old_events_job, "default", 3600) in periodic_duties()
    assert app.config["EVENT_RETENTION_DAYS"] == 30

"""Stored Idempotency-Key answers are kept 24 hours, then an hourly scheduler duty forgets them."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.api.jobs import purge_idempotency_records_job
from app.api.models import IdempotencyRecord
from app.core.clock import FixedClock
from app.extensions import db

NOW = datetime(2026, 11, 2, 12, 0)


def _record(world, key: str, age: timedelta) -> None:
    db.session.add(IdempotencyRecord(organisation_id=world.reseller.id, key=key, request_path="POST /api/v1/orders",
                                     body_hash="0" * 64, status=201, response_body="{}", response_headers="{}",
                                     created_at=NOW - age))


def test_the_hourly_duty_forgets_answers_older_than_a_day_and_keeps_the_rest(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    _record(world, "old", timedelta(hours=24, seconds=1))
    _record(world, "fresh", timedelta(hours=23, minutes=59))
    db.session.commit()

    removed = purge_idempotency_records_job()

    assert removed == 1
    assert db.session.scalars(select(IdempotencyRecord.key)).all() == ["fresh"]


def test_the_scheduler_runs_it_hourly(app):
    from app.worker import periodic_duties

    assert (purge_idempotency_records_job, "default", 3600) in periodic_duties()

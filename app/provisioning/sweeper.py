"""The sweeper: the app's own safety net under RQ's at-least-once delivery.

It hands back requests left ``processing`` past their lease (the worker died, or a vendor never
called back) and re-enqueues ``pending`` requests whose job is not waiting in Redis (enqueued
while Redis was down, or lost with a killed worker). Running it twice is harmless: a
duplicate job finds the request claimed or finished and does nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.provisioning.dispatch import job_is_waiting, provisioning_queue, schedule_run
from app.provisioning.models import FulfillmentRequest, RequestState

S = RequestState
R = FulfillmentRequest


@dataclass(frozen=True)
class SweepReport:
    released: int
    requeued: int


def sweep(now: datetime) -> SweepReport:
    """Releases expired leases and re-enqueues pending requests without a waiting job; commits."""
    released_ids = set()
    for request_id in db.session.scalars(select(R.id).where(R.state == S.PROCESSING.value, R.lease_expires_at < now)).all():
        result = db.session.execute(
            update(R).where(R.id == request_id, R.state == S.PROCESSING.value, R.lease_expires_at < now)
            .values(state=S.PENDING.value, claim_token=None, claimed_by="", lease_expires_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        released_ids.update([request_id] if result.rowcount == 1 else [])
    overdue = now - timedelta(seconds=current_app.config["PROVISIONING_REQUEUE_AFTER"])
    candidates = db.session.scalars(
        select(R).where(R.state == S.PENDING.value,
                        or_(R.next_attempt_at.is_(None), R.next_attempt_at <= overdue, R.id.in_(released_ids)))
        .order_by(R.id).execution_options(populate_existing=True)
    ).all()
    queue = provisioning_queue()
    requeued = [request for request in candidates if request.id in released_ids or not job_is_waiting(queue, request.job_id)]
    for request in requeued:
        schedule_run(request, now)
    db.session.commit()
    return SweepReport(released=len(released_ids), requeued=len(requeued))

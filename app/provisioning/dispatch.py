"""Getting fulfillment requests onto the ``provisioning`` queue, only after the database commit.

``schedule_run`` gives a request a new job id and notes it in ``session.info``; a session
``after_commit`` hook enqueues the noted jobs, a rollback discards them. When Redis cannot be
reached the request simply stays ``pending`` with its due time: the sweeper enqueues it later.
"""
from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.queue import redis_connection

log = logging.getLogger(__name__)

QUEUE_NAME = "provisioning"
JOB_FUNCTION = "app.provisioning.jobs.run_fulfillment_request"
SESSION_KEY = "provisioning_jobs"
# RQ re-runs a job whose work-horse died this many times at once; the sweeper covers the rest.
DELIVERY_RETRIES = 5
# A scheduled job this overdue is taken to be stuck behind a dead scheduler.
SCHEDULED_GRACE_SECONDS = 60


def provisioning_queue(connection=None) -> Queue:
    return Queue(QUEUE_NAME, connection=connection or redis_connection())


def schedule_run(request, now: datetime, delay: float = 0.0) -> None:
    """Marks ``request`` to be run by a fresh job ``delay`` seconds after the current
    transaction commits (nothing is enqueued if it rolls back)."""
    if request.id is None:
        db.session.flush()
    request.job_id = uuid.uuid4().hex
    request.next_attempt_at = now + timedelta(seconds=delay)
    db.session.info.setdefault(SESSION_KEY, []).append((request.id, request.job_id, float(delay)))


def enqueue_jobs(jobs: list[tuple[int, str, float]]) -> int:
    """Enqueues ``(request id, job id, delay)`` jobs; returns how many reached Redis."""
    config = current_app.config
    enqueued = 0
    try:
        queue = provisioning_queue()
        for request_id, job_id, delay in jobs:
            options = dict(job_id=job_id, job_timeout=config["PROVISIONING_JOB_TIMEOUT"], retry=Retry(max=DELIVERY_RETRIES),
                           result_ttl=3600, failure_ttl=7 * 86400, description=f"provision request {request_id}")
            if delay > 0:
                queue.enqueue_in(timedelta(seconds=delay), JOB_FUNCTION, request_id, **options)
            else:
                queue.enqueue(JOB_FUNCTION, request_id, **options)
            enqueued += 1
    except RedisError as error:
        log.warning("Redis unreachable: %d provisioning job(s) left for the sweeper: %s", len(jobs) - enqueued, error)
    except Exception:  # the transaction is committed already: never fail the caller for this
        log.exception("Could not enqueue %d provisioning job(s); the sweeper will", len(jobs) - enqueued)
    return enqueued


def job_is_waiting(queue: Queue, job_id: str) -> bool:
    """Whether job ``job_id`` still waits in the queue, or is scheduled and not long overdue."""
    if not job_id:
        return False
    if queue.get_job_position(job_id) is not None:
        return True
    score = queue.connection.zscore(queue.scheduled_job_registry.key, job_id)
    return score is not None and score > time.time() - SCHEDULED_GRACE_SECONDS


def _enqueue_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # Releasing a SAVEPOINT (invoice numbering does) calls after_commit too, while the outer
        # transaction is still open: the jobs wait for the real commit, or would miss their rows.
        return
    jobs = session.info.pop(SESSION_KEY, None)
    if jobs:
        enqueue_jobs(jobs)


def _discard_after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(SESSION_KEY, None)


def install_session_hooks() -> None:
    if not event.contains(Session, "after_commit", _enqueue_after_commit):
        event.listen(Session, "after_commit", _enqueue_after_commit)
        event.listen(Session, "after_soft_rollback", _discard_after_rollback)

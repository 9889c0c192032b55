"""Getting fulfillment requests onto the ``provisioning`` queue, only after the database commit.

``schedule_run`` gives a request a new job id and defers its job to the commit
(``app.core.after_commit``: enqueued once the outermost transaction commits, in one Redis
pipeline with the commit's other jobs; a rollback discards it). When Redis cannot be reached the
request simply stays ``pending`` with its due time: the sweeper enqueues it later.
"""
from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from flask import current_app
from rq import Queue, Retry

from app.core import after_commit
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
    after_commit.defer(SESSION_KEY, [(request.id, request.job_id, float(delay))])


def _enqueue(queue: Queue, request_id: int, job_id: str, delay: float, pipeline=None) -> None:
    options = dict(job_id=job_id, job_timeout=current_app.config["PROVISIONING_JOB_TIMEOUT"], retry=Retry(max=DELIVERY_RETRIES),
                   result_ttl=3600, failure_ttl=7 * 86400, description=f"provision request {request_id}", pipeline=pipeline)
    if delay > 0:
        queue.enqueue_in(timedelta(seconds=delay), JOB_FUNCTION, request_id, **options)
    else:
        queue.enqueue(JOB_FUNCTION, request_id, **options)


def add_jobs(jobs: list[tuple[int, str, float]], pipeline) -> None:
    """Adds ``(request id, job id, delay)`` jobs to ``pipeline`` (its sender handles errors)."""
    queue = provisioning_queue()
    for request_id, job_id, delay in jobs:
        _enqueue(queue, request_id, job_id, delay, pipeline)


def job_is_waiting(queue: Queue, job_id: str) -> bool:
    """Whether job ``job_id`` still waits in the queue, or is scheduled and not long overdue."""
    if not job_id:
        return False
    if queue.get_job_position(job_id) is not None:
        return True
    score = queue.connection.zscore(queue.scheduled_job_registry.key, job_id)
    return score is not None and score > time.time() - SCHEDULED_GRACE_SECONDS


def install_session_hooks() -> None:
    after_commit.register(SESSION_KEY, add_jobs)

"""Enqueuing delivery jobs once the transaction that wrote them has committed.

``note_deliveries`` keeps the new deliveries' ids in the session; after the commit each gets a
job on the ``default`` queue (a rollback forgets them). If Redis is down then, the rows wait,
pending, and ``sweep_webhook_deliveries_job`` (a periodic duty) enqueues them later: nothing is
lost, only late. Retries are enqueued for their time (``enqueue_in``: RQ's scheduler, which
every ``flask worker`` runs, moves them to the queue when due).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.queue import redis_connection

log = logging.getLogger(__name__)
SESSION_KEY = "webhook_deliveries"
WEBHOOK_QUEUE = "default"


def note_deliveries(delivery_ids: list[int]) -> None:
    from app.extensions import db

    db.session.info.setdefault(SESSION_KEY, []).extend(delivery_ids)


def enqueue_deliveries(delivery_ids: list[int], delay_seconds: float = 0.0, connection=None) -> int:
    """A delivery job per id (after ``delay_seconds``); how many reached Redis. Never raises:
    a delivery not queued now is found by the sweep."""
    from app.webhooks.jobs import deliver_webhook_job

    queued = 0
    try:
        queue = Queue(WEBHOOK_QUEUE, connection=connection or redis_connection())
        for delivery_id in delivery_ids:
            options = dict(result_ttl=3600, failure_ttl=7 * 86400, description=f"webhook delivery {delivery_id}")
            if delay_seconds > 0:
                queue.enqueue_in(timedelta(seconds=delay_seconds), deliver_webhook_job, delivery_id, **options)
            else:
                queue.enqueue(deliver_webhook_job, delivery_id, **options)
            queued += 1
    except RedisError as error:
        log.warning("Redis unreachable: %d webhook deliveries wait for the sweep: %s", len(delivery_ids) - queued, error)
    except Exception:  # the transaction is committed: never fail the caller for this
        log.exception("could not queue %d webhook deliveries; they wait for the sweep", len(delivery_ids) - queued)
    return queued


def _enqueue_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy also calls after_commit when a SAVEPOINT is released (numbering does that):
        # the outer transaction is still open then, and a job would look for rows not committed.
        return
    ids = session.info.pop(SESSION_KEY, None)
    if ids:
        enqueue_deliveries(ids)


def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(SESSION_KEY, None)


def install_session_hooks() -> None:
    if not event.contains(Session, "after_commit", _enqueue_after_commit):
        event.listen(Session, "after_commit", _enqueue_after_commit)
        event.listen(Session, "after_soft_rollback", _forget_after_rollback)

"""Enqueuing delivery jobs once the transaction that wrote them has committed.

``note_deliveries`` defers the new deliveries' ids to the commit (``app.core.after_commit``);
after it each gets a job on the ``default`` queue (a rollback forgets them). If Redis is down
then, the rows wait, pending, and ``sweep_webhook_deliveries_job`` (a periodic duty) enqueues them later: nothing is
lost, only late. Retries are enqueued for their time (``enqueue_in``: RQ's scheduler, which
every ``flask worker`` runs, moves them to the queue when due).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Queue

from app.core import after_commit
from app.queue import redis_connection

log = logging.getLogger(__name__)
SESSION_KEY = "webhook_deliveries"
WEBHOOK_QUEUE = "default"


def note_deliveries(delivery_ids: list[int]) -> None:
    after_commit.defer(SESSION_KEY, delivery_ids)


def add_deliveries(delivery_ids: list[int], pipeline) -> None:
    """Adds a delivery job per id to ``pipeline`` (its sender handles errors)."""
    from app.webhooks.jobs import deliver_webhook_job

    queue = Queue(WEBHOOK_QUEUE, connection=redis_connection())
    for delivery_id in delivery_ids:
        queue.enqueue(deliver_webhook_job, delivery_id, **_options(delivery_id), pipeline=pipeline)


def _options(delivery_id: int) -> dict:
    return dict(result_ttl=3600, failure_ttl=7 * 86400, description=f"webhook delivery {delivery_id}")


def enqueue_deliveries(delivery_ids: list[int], delay_seconds: float = 0.0, connection=None) -> int:
    """A delivery job per id (after ``delay_seconds``); how many reached Redis. Never raises:
    a delivery not queued now is found by the sweep."""
    from app.webhooks.jobs import deliver_webhook_job

    queued = 0
    try:
        queue = Queue(WEBHOOK_QUEUE, connection=connection or redis_connection())
        for delivery_id in delivery_ids:
            options = _options(delivery_id)
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


def install_session_hooks() -> None:
    after_commit.register(SESSION_KEY, add_deliveries)

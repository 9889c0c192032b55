"""RQ entry points for webhooks. Signatures are a contract with jobs already queued:
``deliver_webhook_job(delivery_id)``, ``sweep_webhook_deliveries_job()`` and
``purge_old_events_job()``."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from rq import get_current_job

from app.core.clock import current_now
from app.queue import redis_connection
from app.webhooks.delivery import deliver, due_deliveries
from app.webhooks.dispatch import enqueue_deliveries
from app.webhooks.retention import purge_old_events

log = logging.getLogger(__name__)


def deliver_webhook_job(delivery_id: int) -> str:
    """Sends one delivery (the row decides: safe to run twice) and enqueues its retry."""
    job = get_current_job()
    result, retry_in = deliver(delivery_id, current_now())
    if retry_in is not None:
        enqueue_deliveries([delivery_id], delay_seconds=retry_in)
    log.info("job %s: webhook delivery %s: %s", job.id if job else "-", delivery_id, result)
    return result


def sweep_webhook_deliveries_job() -> int:
    """Periodic duty: enqueue pending deliveries whose job never ran (Redis was down at commit,
    or the job was lost)."""
    due = due_deliveries(current_now(), timedelta(seconds=current_app.config["WEBHOOK_SWEEP_GRACE"]))
    if due:
        log.info("re-queuing %d webhook deliveries", len(due))
        enqueue_deliveries(due, connection=redis_connection(current_app.config["REDIS_URL"]))
    return len(due)


def purge_old_events_job() -> int:
    """Hourly duty: delete the events older than ``EVENT_RETENTION_DAYS`` (``app.webhooks.retention``)."""
    job = get_current_job()
    removed = purge_old_events(current_now(), timedelta(days=current_app.config["EVENT_RETENTION_DAYS"]))
    log.info("job %s: removed %d events older than %s days", job.id if job else "-", removed,
             current_app.config["EVENT_RETENTION_DAYS"])
    return removed

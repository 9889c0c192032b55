"""RQ entry point of the lifecycle duties (the scheduler runs it periodically)."""
from __future__ import annotations

import logging

from rq import get_current_job

from app.core.clock import current_now
from app.plans.duties import run_duties

log = logging.getLogger(__name__)


def run_lifecycle_duties_job() -> str:
    """Periodic duty: renewals, expiries, invoices and card charges as of now (idempotent)."""
    summary = run_duties(current_now()).summary()
    job = get_current_job()
    log.info("job %s: lifecycle duties: %s", job.id if job else "-", summary)
    return summary

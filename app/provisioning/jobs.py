"""RQ entry points of provisioning. Their signatures are a contract with queued jobs."""
from __future__ import annotations

import logging
from dataclasses import asdict

from rq import get_current_job

from app.core.clock import current_now
from app.provisioning.runner import run_request
from app.provisioning.sweeper import sweep

log = logging.getLogger(__name__)


def _job_id() -> str:
    job = get_current_job()
    return job.id if job else "-"


def run_fulfillment_request(request_id: int) -> str:
    """Provisions one fulfillment request (safe to deliver twice)."""
    result = run_request(request_id)
    log.info("job %s: fulfillment request %s: %s", _job_id(), request_id, result)
    return result


def sweep_provisioning_job() -> dict:
    """Periodic duty: hand back abandoned requests and re-enqueue forgotten ones."""
    report = asdict(sweep(current_now()))
    log.info("job %s: provisioning sweep: %s", _job_id(), report)
    return report

"""RQ entry points of the partner API."""
import logging

from rq import get_current_job

from app.api.idempotency import purge_expired
from app.core.clock import current_now

log = logging.getLogger(__name__)


def purge_idempotency_records_job() -> int:
    """Housekeeping: forget the Idempotency-Key answers kept longer than 24 hours."""
    removed = purge_expired(current_now())
    job = get_current_job()
    log.info("job %s: removed %d stored Idempotency-Key answers", job.id if job else "-", removed)
    return removed

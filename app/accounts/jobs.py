"""RQ entry points of the accounts area."""
import logging

from rq import get_current_job

from app.accounts.services import purge_login_attempts

log = logging.getLogger(__name__)


def purge_login_attempts_job() -> int:
    """Housekeeping: forget failed sign-ins older than a day."""
    removed = purge_login_attempts()
    job = get_current_job()
    log.info("job %s: removed %d old failed sign-in records", job.id if job else "-", removed)
    return removed

"""RQ entry point of the orders' periodic duty (the scheduler runs it)."""
from __future__ import annotations

import logging

from rq import get_current_job

from app.core.clock import current_now
from app.orders.abandonment import cancel_unpaid_orders

log = logging.getLogger(__name__)


def cancel_unpaid_orders_job() -> int:
    """Periodic duty: card orders unpaid for ``UNPAID_ORDER_CANCEL_AFTER`` are cancelled as of
    now on the app's clock (idempotent)."""
    cancelled = cancel_unpaid_orders(current_now())
    job = get_current_job()
    log.info("job %s: %d unpaid order(s) cancelled", job.id if job else "-", cancelled)
    return cancelled

"""RQ worker and scheduler processes, run inside the app context.

Jobs are thin entry points (see each area's ``jobs.py``); the scheduler enqueues the periodic
duties listed in ``periodic_duties()``. Queues: ``provisioning`` for vendor calls, ``default`` for
everything else (mail, housekeeping).

Delivery is at least once. A worker's clean-up finds a job abandoned by a dead worker only after
``WORKER_TTL`` (RQ's default is far longer), so the app keeps its own truth in the database and
its own sweeper; when only a work-horse dies, the worker hands its claims back at once.

Two worker models (``WORKER_CLASS``). ``simple`` (the default): RQ's ``SimpleWorker`` runs each
job in the worker's own process, in an app context of its own, so database connections,
compiled statements, templates and the Redis connection live as long as the worker; a job's
timeout is still enforced, by RQ's SIGALRM death penalty in that same process (the job gets
``JobTimeoutException``). A killed worker is a killed job: the sweeper releases its claim when
the lease runs out. ``fork``: RQ's default ``Worker``, a forked work-horse per job (isolation
from a job that corrupts its process, at about four times a no-op job's cost).
"""
from __future__ import annotations

import logging

from flask import Flask, current_app
from rq import Queue, SimpleWorker, Worker
from rq.cron import CronScheduler
from sqlalchemy.orm import configure_mappers

from app.accounts.jobs import purge_login_attempts_job
from app.api.jobs import purge_idempotency_records_job
from app.core.clock import current_now
from app.extensions import db
from app.mail.jobs import resend_stalled_mail_job
from app.orders.jobs import cancel_unpaid_orders_job
from app.plans.jobs import run_lifecycle_duties_job
from app.provisioning.jobs import sweep_provisioning_job
from app.provisioning.runner import release_claims_of, warm_statement_cache, worker_identity
from app.queue import redis_connection, share_connection
from app.webhooks.jobs import purge_old_events_job, sweep_webhook_deliveries_job

QUEUE_NAMES = ("provisioning", "default")
log = logging.getLogger(__name__)


class AppWorker(Worker):
    """A worker whose work-horses use their own database connections, never the parent's."""

    def perform_job(self, job, queue):
        db.engine.dispose(close=False)  # in the forked horse: drop sockets inherited from the parent
        try:
            return super().perform_job(job, queue)
        finally:
            db.session.remove()

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage):
        """The horse died mid-job (killed, out of memory): release what it had claimed so RQ's
        retry (or the sweeper) can claim it again without waiting for the lease to run out."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if not retpid:
            return

        try:
            released = release_claims_of(worker_identity(retpid), current_now())
            log.warning("work-horse %s died during job %s; released %d fulfillment request(s)", retpid, job.id, released)
        except Exception:
            log.exception("could not release the claims of dead work-horse %s", retpid)
        finally:
            db.session.remove()


class AppSimpleWorker(SimpleWorker):
    """A worker that runs each job in its own process (no fork), in a fresh app context (its own
    ``g`` and database session, removed after the job) that shares this worker's connections."""

    job_connection = None  # the Redis client lent to jobs (``run_worker`` sets it), else the worker's

    def perform_job(self, job, queue):
        with current_app.app_context():
            share_connection(self.job_connection or self.connection)
            try:
                return super().perform_job(job, queue)
            finally:
                db.session.remove()


WORKER_CLASSES = {"simple": AppSimpleWorker, "fork": AppWorker}


def _prepare_for_forking() -> None:
    """Work the parent does once so that each forked work-horse need not: configure the ORM
    and compile the provisioning queries."""
    configure_mappers()
    try:
        warm_statement_cache()
    except Exception as error:  # the database may be down at start-up: horses compile then
        log.warning("could not warm the statement cache: %s", error)
    finally:
        db.session.remove()


def run_worker(app: Flask, queues: tuple[str, ...] = QUEUE_NAMES, burst: bool = False,
               worker_class_name: str | None = None) -> None:
    """Runs an RQ worker of ``WORKER_CLASS`` (or ``worker_class_name``: "simple" or "fork") on
    ``queues`` with RQ's scheduler, until stopped (or, with ``burst``, until the queues are empty)."""
    with app.app_context():
        _prepare_for_forking()
        connection = redis_connection(app.config["REDIS_URL"])
        worker_class = WORKER_CLASSES[worker_class_name or app.config["WORKER_CLASS"]]
        worker = worker_class(
            [Queue(name, connection=connection) for name in queues], connection=connection,
            worker_ttl=app.config["WORKER_TTL"], maintenance_interval=app.config["WORKER_MAINTENANCE_INTERVAL"],
        )
        worker.job_connection = redis_connection(app.config["REDIS_URL"])
        worker.work(with_scheduler=True, burst=burst)


def noop_job() -> None:
    """Does nothing: the benchmark's yardstick for what a job costs RQ itself."""
    return None


# (function, queue, interval in seconds). Each duty is idempotent: running it twice is harmless.
def periodic_duties() -> list[tuple]:
    return [
        (purge_login_attempts_job, "default", 3600),
        (purge_idempotency_records_job, "default", 3600),
        (sweep_provisioning_job, "default", current_app.config["PROVISIONING_SWEEP_INTERVAL"]),
        (resend_stalled_mail_job, "default", 600),
        (sweep_webhook_deliveries_job, "default", current_app.config["WEBHOOK_SWEEP_INTERVAL"]),
        (purge_old_events_job, "default", 3600),
        (run_lifecycle_duties_job, "default", current_app.config["LIFECYCLE_DUTIES_INTERVAL"]),
        (cancel_unpaid_orders_job, "default", current_app.config["UNPAID_ORDER_CHECK_INTERVAL"]),
    ]


def run_scheduler(app: Flask) -> None:
    with app.app_context():
        scheduler = CronScheduler(connection=redis_connection(app.config["REDIS_URL"]))
        for function, queue_name, interval in periodic_duties():
            scheduler.register(function, queue_name, interval=interval)
        scheduler.start()

"""RQ worker and scheduler processes, run inside the app context.

Jobs are thin entry points (see each area's ``jobs.py``); the scheduler enqueues the periodic
duties listed in ``PERIODIC_DUTIES``. Queues: ``provisioning`` for vendor calls, ``default`` for
everything else (mail, housekeeping).
"""
from __future__ import annotations

from flask import Flask
from rq import Queue, Worker
from rq.cron import CronScheduler

from app.extensions import db
from app.queue import redis_connection

QUEUE_NAMES = ("provisioning", "default")


class AppWorker(Worker):
    """A worker whose work-horses use their own database connections, never the parent's."""

    def perform_job(self, job, queue):
        db.engine.dispose(close=False)  # in the forked horse: drop sockets inherited from the parent
        try:
            return super().perform_job(job, queue)
        finally:
            db.session.remove()


def run_worker(app: Flask, queues: tuple[str, ...] = QUEUE_NAMES, burst: bool = False) -> None:
    with app.app_context():
        connection = redis_connection(app.config["REDIS_URL"])
        worker = AppWorker([Queue(name, connection=connection) for name in queues], connection=connection)
        worker.work(with_scheduler=True, burst=burst)


# (function, queue, interval in seconds). Each duty is idempotent: running it twice is harmless.
def periodic_duties() -> list[tuple]:
    from app.accounts.jobs import purge_login_attempts_job

    return [
        (purge_login_attempts_job, "default", 3600),
    ]


def run_scheduler(app: Flask) -> None:
    with app.app_context():
        scheduler = CronScheduler(connection=redis_connection(app.config["REDIS_URL"]))
        for function, queue_name, interval in periodic_duties():
            scheduler.register(function, queue_name, interval=interval)
        scheduler.start()

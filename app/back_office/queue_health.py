"""The queues as RQ sees them, for the back office's queue page: lengths per queue, failed jobs,
the workers alive, and the scheduler's duties with their last runs.

Everything is read from Redis (RQ's own registries), never from process memory, so any web
process answers for every worker on every machine. ``read_queue_health`` raises
``QueuesUnavailable`` when Redis does not answer: the page then says so instead of guessing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.cron import CronScheduler, get_cron_job_ids
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry

from app.core.errors import Refusal, RefusalKind

FAILED_SHOWN = 20  # the newest failed jobs listed per queue
JOB_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")  # what RQ and this app use as job ids


class QueuesUnavailable(RuntimeError):
    """Redis did not answer."""


class FailedJobGone(Refusal):
    """The failed job is no longer in the failed registry (requeued or expired meanwhile)."""


@dataclass(frozen=True)
class QueueRow:
    name: str
    queued: int
    running: int
    scheduled: int
    failed: int


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    function: str
    error: str  # the exception's last line, not the whole trace
    ended_at: datetime | None


@dataclass(frozen=True)
class WorkerRow:
    name: str
    state: str
    queues: tuple[str, ...]
    current_job: str | None
    last_heartbeat: datetime | None
    successful: int
    failed: int


@dataclass(frozen=True)
class DutyRow:
    name: str  # the job function's dotted name
    queue: str
    interval_seconds: int | None
    last_enqueued_at: datetime | None
    last_status: str  # the newest run's RQ status, or "never run" / "expired"
    last_ended_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class SchedulerRow:
    name: str
    host: str
    pid: int
    last_heartbeat: datetime | None
    duties: tuple[DutyRow, ...]


@dataclass(frozen=True)
class QueueHealth:
    queues: tuple[QueueRow, ...]
    failed_jobs: tuple[FailedJob, ...]
    workers: tuple[WorkerRow, ...]
    schedulers: tuple[SchedulerRow, ...]

    @property
    def failed_total(self) -> int:
        return sum(queue.failed for queue in self.queues)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _text(value) -> str:
    """An RQ status as its word ("finished"): RQ answers enums (whose str() is "JobStatus.FINISHED") or strings."""
    return str(getattr(value, "value", value) or "")


def _last_line(trace: str | None) -> str:
    lines = [line for line in (trace or "").strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def _error_of(job: Job) -> str:
    result = job.latest_result()
    return _last_line(result.exc_string if result is not None else None)


def _queue_row(queue: Queue) -> QueueRow:
    return QueueRow(name=queue.name, queued=queue.count, running=queue.started_job_registry.count,
                    scheduled=queue.scheduled_job_registry.count, failed=queue.failed_job_registry.count)


def _failed_jobs(queue: Queue, connection: Redis) -> list[FailedJob]:
    ids = queue.failed_job_registry.get_job_ids(0, FAILED_SHOWN - 1, desc=True)
    jobs = []
    for job in Job.fetch_many(ids, connection=connection):
        if job is None:
            continue
        jobs.append(FailedJob(id=job.id, queue=queue.name, function=job.func_name or "", error=_error_of(job),
                              ended_at=_utc(job.ended_at)))
    return jobs


def _worker_row(worker: Worker) -> WorkerRow:
    return WorkerRow(name=worker.name, state=_text(worker.get_state()), queues=tuple(worker.queue_names()),
                     current_job=worker.get_current_job_id(), last_heartbeat=_utc(worker.last_heartbeat),
                     successful=worker.successful_job_count, failed=worker.failed_job_count)


def _duty_row(duty, connection: Redis) -> DutyRow:
    ids = get_cron_job_ids(duty.name, connection, 0, 0)
    status, ended_at, error, enqueued_at = "never run", None, "", None
    if ids:
        try:
            job = Job.fetch(ids[0], connection=connection)
            status = _text(job.get_status(refresh=False)) or "unknown"
            enqueued_at, ended_at, error = _utc(job.enqueued_at), _utc(job.ended_at), _error_of(job)
        except NoSuchJobError:
            status = "expired"  # its result outlived RQ's result TTL
    return DutyRow(name=duty.name, queue=duty.queue_name, interval_seconds=duty.interval,
                   last_enqueued_at=enqueued_at, last_status=status, last_ended_at=ended_at, last_error=error)


def _scheduler_row(scheduler: CronScheduler, connection: Redis) -> SchedulerRow:
    duties = tuple(_duty_row(duty, connection) for duty in sorted(scheduler.get_jobs(), key=lambda duty: duty.name))
    return SchedulerRow(name=scheduler.name, host=scheduler.hostname, pid=scheduler.pid,
                        last_heartbeat=_utc(scheduler.last_heartbeat), duties=duties)


def read_queue_health(connection: Redis, queue_names: tuple[str, ...]) -> QueueHealth:
    """What RQ knows now about these queues, their workers and the cron schedulers."""
    try:
        queues = [Queue(name, connection=connection) for name in queue_names]
        failed = sorted((job for queue in queues for job in _failed_jobs(queue, connection)),
                        key=lambda job: job.ended_at or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        return QueueHealth(
            queues=tuple(_queue_row(queue) for queue in queues),
            failed_jobs=tuple(failed[:FAILED_SHOWN]),
            workers=tuple(sorted((_worker_row(worker) for worker in Worker.all(connection=connection)),
                                 key=lambda worker: worker.name)),
            schedulers=tuple(_scheduler_row(scheduler, connection) for scheduler in CronScheduler.all(connection)),
        )
    except RedisError as error:
        raise QueuesUnavailable(str(error)) from error


def requeue_failed_job(connection: Redis, queue_name: str, job_id: str) -> None:
    """Puts a failed job back on its queue (RQ's own requeue: the job runs again as it was)."""
    try:
        registry = FailedJobRegistry(queue_name, connection=connection)
        if job_id not in registry.get_job_ids():
            raise FailedJobGone("That job is no longer among the failed jobs.", kind=RefusalKind.CONFLICT)
        registry.requeue(job_id)
    except RedisError as error:
        raise QueuesUnavailable(str(error)) from error

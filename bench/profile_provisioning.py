"""What one provisioning job costs: statements and transactions on the database, round trips to
Redis, CPU time, and a cProfile of the job run by the app's worker class in this process.

    .venv/bin/python bench/profile_provisioning.py [--requests 200] [--worker-class simple|fork]

Uses the stores of bench/provisioning_throughput.py (its own ``<name>_provisioning`` database
and Redis database, rebuilt and flushed). With ``simple`` the jobs run in this process (RQ's
SimpleWorker, burst) and everything is counted per phase of the job; with ``fork`` only the
work-horses' CPU time is known here (their statements happen in the forked children).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import provisioning_throughput as throughput  # noqa: E402

PHASE = ["rq"]  # what the job is doing now: rq (the worker's own work), claim, vendor, outcome, after_commit
statements: Counter = Counter()
commits: Counter = Counter()
redis_round_trips: Counter = Counter()
redis_commands: Counter = Counter()
TRACE: list[str] = []  # the statements in order, with their phase (``--trace``)


@contextmanager
def phase(name: str):
    previous, PHASE[0] = PHASE[0], name
    try:
        yield
    finally:
        PHASE[0] = previous


def _instrument(engine) -> None:
    from redis.client import Pipeline, Redis
    from redis.connection import AbstractConnection
    from sqlalchemy import event

    from app.core import after_commit
    from app.provisioning import runner
    from app.provisioning.connectors import demo

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):
        words = statement.split()
        kind = words[0].upper()
        table = ""
        for keyword in ("FROM", "INTO", "UPDATE"):
            if keyword in (word.upper() for word in words):
                index = [word.upper() for word in words].index(keyword)
                table = words[index + 1].strip('"') if index + 1 < len(words) else ""
                break
        statements[(PHASE[0], f"{kind} {table}".strip())] += 1
        if len(TRACE) < 200:
            TRACE.append(f"{PHASE[0]:<13} {' '.join(words)[:150]}")

    @event.listens_for(engine, "commit")
    def _commit(conn):
        commits[PHASE[0]] += 1

    send = AbstractConnection.send_packed_command

    def counted_send(self, command, check_health=True):
        redis_round_trips[PHASE[0]] += 1
        return send(self, command, check_health)

    AbstractConnection.send_packed_command = counted_send
    execute_command = Redis.execute_command

    def counted_command(self, *args, **options):
        if not isinstance(self, Pipeline):
            redis_commands[(PHASE[0], str(args[0]).upper())] += 1
        return execute_command(self, *args, **options)

    Redis.execute_command = counted_command
    pipeline_execute = Pipeline.execute

    def counted_pipeline(self, raise_on_error=True):
        for args, _ in self.command_stack:
            redis_commands[(PHASE[0], f"{str(args[0]).upper()} (pipelined)")] += 1
        return pipeline_execute(self, raise_on_error)

    Pipeline.execute = counted_pipeline

    def wrap(module, name, label):
        original = getattr(module, name)

        def wrapped(*args, **kwargs):
            with phase(label):
                return original(*args, **kwargs)

        setattr(module, name, wrapped)

    wrap(runner, "claim_request", "claim")
    wrap(runner, "call_connector", "vendor")
    wrap(runner, "record_outcome", "outcome")
    wrap(after_commit, "_run_deferred", "after_commit")
    del demo  # the vendor's own statements count under "vendor" through call_connector


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--worker-class", choices=["simple", "fork"], default="simple")
    parser.add_argument("--trace", action="store_true", help="print the statements of the first job in order")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-provisioning-") as directory:
        database_url = throughput.provisioning_database_url(os.environ.get("BENCH_DATABASE_URL"), Path(directory))
        redis_url = throughput.provisioning_redis_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
                                                      os.environ.get("BENCH_PROVISIONING_REDIS_URL"))
        os.environ.update(DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY="bench", DEMO_VENDOR_LATENCY="0")
        profile(options.requests, options.worker_class, Path(directory), options.trace)


def profile(count: int, worker_class: str, directory: Path, trace: bool = False) -> None:
    from flask_migrate import upgrade
    from rq import Queue
    from sqlalchemy import text

    from app import create_app
    from app.config import Config
    from app.extensions import db
    from app.queue import redis_connection
    from app.worker import WORKER_CLASSES, _prepare_for_forking

    app = create_app(Config(instance_path=directory))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert db.engine.url.database.endswith(throughput.SUFFIX)
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        plan = throughput._catalog()
        connection = redis_connection(app.config["REDIS_URL"])
        connection.flushdb()
        queue = Queue("provisioning", connection=connection)
        warm_up = throughput._provisioning_jobs(plan, 20)
        jobs = throughput._provisioning_jobs(plan, count)
        db.session.remove()
        _prepare_for_forking()

        def worker():
            instance = WORKER_CLASSES[worker_class]([queue], connection=connection)
            instance.job_connection = redis_connection(app.config["REDIS_URL"])
            return instance

        for function, args, job_id in warm_up:  # first jobs compile statements and templates
            queue.enqueue(function, *args, job_id=job_id, job_timeout=60, result_ttl=3600)
        worker().work(burst=True)
        for function, args, job_id in jobs:
            queue.enqueue(function, *args, job_id=job_id, job_timeout=60, result_ttl=3600)
        if worker_class == "simple":
            _instrument(db.engine)
        profiler = cProfile.Profile()
        usage_before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        profiler.enable() if worker_class == "simple" else None
        worker().work(burst=True)
        profiler.disable() if worker_class == "simple" else None
        elapsed = time.perf_counter() - started
        usage_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = [after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
               for before, after in zip(usage_before, usage_after)]
        states = Counter(db.session.scalars(text("SELECT state FROM fulfillment_request")))
        print(f"{count} jobs on {worker_class} in {elapsed:.2f} s; requests: {dict(states)}")
        print(f"CPU per job: this process {cpu[0] * 1000 / count:.2f} ms, forked work-horses {cpu[1] * 1000 / count:.2f} ms "
              f"(cProfile on: inflated)" if worker_class == "simple" else
              f"CPU per job: this process {cpu[0] * 1000 / count:.2f} ms, forked work-horses {cpu[1] * 1000 / count:.2f} ms")
        if worker_class != "simple":
            return
        print("\nStatements per job, by phase:")
        for (name, what), number in sorted(statements.items()):
            print(f"  {name:<13} {what:<40} {number / count:.2f}")
        if trace:
            print("\nThe statements of the first job, in order:")
            print("\n".join(TRACE[:60]))
        print("Commits per job:", {name: round(number / count, 2) for name, number in sorted(commits.items())})
        print("Redis round trips per job:", {name: round(number / count, 2) for name, number in sorted(redis_round_trips.items())})
        print("Redis commands per job:")
        for (name, what), number in sorted(redis_commands.items()):
            print(f"  {name:<13} {what:<30} {number / count:.2f}")
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(45)
        print(stream.getvalue())
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(30)
        print(stream.getvalue())


if __name__ == "__main__":
    main()

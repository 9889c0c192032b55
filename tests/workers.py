"""Real RQ worker processes (``flask worker``) and small helpers for tests that use them.

Each worker runs in a session of its own; RQ's work-horse puts itself in its own process
group, so "killing the whole worker" means the parent's group and the horse.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def worker_environment(database_url: str, redis_url: str, **settings) -> dict:
    """The environment of a worker on the test database and Redis; ``settings`` become
    configuration variables (e.g. ``PROVISIONING_LEASE_SECONDS=5``)."""
    env = {key: value for key, value in os.environ.items() if key not in ("FLASK_APP", "TEST_DATABASE_URL")}
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY="test-secret-key", PYTHONUNBUFFERED="1",
               DEMO_VENDOR_LATENCY="0", PROVISIONING_RETRY_BASE_SECONDS="0.2", PROVISIONING_MAX_ATTEMPTS="3",
               WEBHOOK_ALLOW_PRIVATE_ADDRESSES="1")
    env.update({key: str(value) for key, value in settings.items()})
    return env


def free_port() -> int:
    """A loopback port nobody listens on now (ports are picked at run time: fixed ones collide)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _kill(pid: int, sig=signal.SIGKILL) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


class WorkerProcess:
    def __init__(self, env: dict, log_path: Path, name: str = "worker", command: str = "worker") -> None:
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app:create_app", command], cwd=PROJECT_ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.name = name

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def horses(self) -> list[int]:
        """The work-horses (forked children, other than RQ's scheduler process) running now."""
        return [pid for pid in children_of(self.pid) if _is_horse(pid)]

    def kill_horse(self) -> bool:
        horses = self.horses()
        for pid in horses:
            _kill(pid)
        return bool(horses)

    def kill_all(self) -> None:
        """SIGKILL the parent, its scheduler and its horse at once: nothing gets to clean up."""
        horses = self.horses()
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid in horses:
            _kill(pid)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self, timeout: float = 15) -> None:
        """Warm shutdown (the current job finishes), then SIGKILL whatever is left."""
        if self.alive():
            horses = self.horses()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            for pid in horses:
                _kill(pid)
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        if not self.log.closed:
            self.log.close()


def _is_horse(pid: int) -> bool:
    # RQ's horse calls setpgrp(): it leads its own process group; the scheduler stays in ours.
    try:
        return os.getpgid(pid) == pid
    except ProcessLookupError:
        return False


def wait_until(predicate, timeout: float, interval: float = 0.1, message: str = "condition"):
    """Polls ``predicate`` (reading fresh rows each time) until it is truthy or ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        db.session.expire_all()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def wait_for_workers(redis_client, count: int, timeout: float = 20) -> None:
    from rq import Worker

    deadline = time.monotonic() + timeout
    while len(Worker.all(connection=redis_client)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} worker(s) did not register within {timeout} s")
        time.sleep(0.1)


def wait_for_idle_queues(redis_client, timeout: float = 30) -> None:
    """Until the worker queues hold no job and no job is running: a test whose requests queued
    jobs for a module's worker waits for them, so none still runs while the next test empties
    the tables (on PostgreSQL a running job and that TRUNCATE deadlock)."""
    from rq import Queue
    from rq.registry import StartedJobRegistry

    from app.worker import QUEUE_NAMES

    def idle() -> bool:
        return all(Queue(name, connection=redis_client).count == 0
                   and StartedJobRegistry(name, connection=redis_client).count == 0 for name in QUEUE_NAMES)

    deadline = time.monotonic() + timeout
    while not idle():
        if time.monotonic() > deadline:
            raise AssertionError(f"the worker queues were not idle within {timeout} s")
        time.sleep(0.1)

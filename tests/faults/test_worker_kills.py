"""Workers SIGKILLed again and again mid-job: nothing stuck, nothing provisioned twice.

20 orders on the demo vendor (1 s per call) with three workers and the scheduler (sweeping
every second). Every 0.5 to 2 s a busy worker is killed. With RQ's forking worker (``fork``), by
turns only its work-horse, or the whole worker (parent, scheduler and horse at once, then a fresh
worker is started). With the app's default ``SimpleWorker`` (``simple``: the job runs in the
worker process, there is no horse), the whole worker while it holds a claim.
"""
from __future__ import annotations

import random
import time
from collections import Counter

import pytest
from redis import Redis
from sqlalchemy import func, select

from app.extensions import db
from app.plans.models import Subscription
from app.provisioning.handoff import hand_off
from app.provisioning.models import DemoVendorCall, FulfillmentRequest
from tests import factories
from tests.conftest import TEST_REDIS_URL
from tests.workers import WorkerProcess, wait_for_workers, wait_until, worker_environment

pytestmark = pytest.mark.redis

ORDERS = 20
WORKERS = 3
KILLING_FOR_AT_MOST = 40  # seconds; then the survivors finish
EVERYTHING_ACTIVE_WITHIN = 90  # seconds after the orders were placed


def _active_count() -> int:
    return db.session.scalar(select(func.count(Subscription.id)).where(Subscription.status == "active"))


def _claiming_pids() -> set[int]:
    """The processes holding a claim now (a claim names ``host:pid``)."""
    claims = db.session.scalars(select(FulfillmentRequest.claimed_by).where(FulfillmentRequest.state == "processing"))
    return {int(claim.rsplit(":", 1)[1]) for claim in claims if claim and claim.rsplit(":", 1)[-1].isdigit()}


def _busy(worker: WorkerProcess, worker_class: str) -> bool:
    return bool(worker.horses()) if worker_class == "fork" else worker.pid in _claiming_pids()


@pytest.mark.parametrize("worker_class", ["fork", "simple"])
def test_killed_workers_leave_nothing_stuck_and_provision_each_key_once(app, world, database_url, run_dir, worker_class):
    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    env = worker_environment(database_url, TEST_REDIS_URL, PROVISIONING_JOB_TIMEOUT=5, PROVISIONING_LEASE_SECONDS=6,
                             PROVISIONING_SWEEP_INTERVAL=1, PROVISIONING_REQUEUE_AFTER=3, PROVISIONING_MAX_DELIVERIES=100,
                             PROVISIONING_MAX_ATTEMPTS=50, WORKER_CLASS=worker_class)
    log_path = run_dir / "fault-workers.log"
    workers = [WorkerProcess(env, log_path) for _ in range(WORKERS)]
    scheduler = WorkerProcess(env, log_path, command="scheduler")
    kills, rng = Counter(), random.Random(4)
    try:
        wait_for_workers(redis, WORKERS)
        world.product.connector_settings = {"latency": 1.0}
        for _ in range(ORDERS):
            order = factories.make_order(world.customer, [{"plan": world.customer_plan}], placed_by=world.users.customer)
            hand_off(order)
        db.session.commit()
        started = time.monotonic()

        while _active_count() < ORDERS and time.monotonic() - started < KILLING_FOR_AT_MOST:
            time.sleep(rng.uniform(0.5, 2.0))
            busy = [worker for worker in workers if _busy(worker, worker_class)]
            if not busy:
                continue
            victim = rng.choice(busy)
            if worker_class == "fork" and kills["horse"] <= kills["worker"]:
                kills["horse"] += victim.kill_horse()
            else:
                victim.kill_all()
                workers[workers.index(victim)] = WorkerProcess(env, log_path)
                kills["worker"] += 1
            db.session.rollback()

        wait_until(lambda: _active_count() == ORDERS, timeout=max(1, EVERYTHING_ACTIVE_WITHIN - (time.monotonic() - started)),
                   interval=0.2, message="every subscription to be active")
        elapsed = time.monotonic() - started
    except AssertionError:
        print(log_path.read_text()[-8000:])
        raise
    finally:
        for process in [*workers, scheduler]:
            process.stop(timeout=5)
        redis.close()

    keys = set(db.session.scalars(select(FulfillmentRequest.idempotency_key)))
    calls = db.session.execute(select(DemoVendorCall.idempotency_key, DemoVendorCall.took_effect)).all()
    effective = Counter(key for key, took_effect in calls if took_effect)
    print(f"\n{ORDERS} orders active after {elapsed:.1f} s; kills: {dict(kills)}; vendor calls: {len(calls)}")
    if worker_class == "fork":
        assert kills["horse"] >= 2 and kills["worker"] >= 2
    else:
        assert kills["worker"] >= 4
    assert len(keys) == ORDERS
    assert effective == Counter({key: 1 for key in keys})
    assert set(db.session.scalars(select(FulfillmentRequest.state))) == {"completed"}

"""A job that outlives its timeout on the app's default worker (RQ's SimpleWorker: the job runs
in the worker process, so RQ's SIGALRM death penalty interrupts it there): the vendor call is
stopped and recorded as a failed attempt, and the same worker process goes on with the next job."""
from __future__ import annotations

import pytest
from redis import Redis
from sqlalchemy import select

from app.extensions import db
from app.provisioning.handoff import hand_off
from app.provisioning.models import FulfillmentRequest
from tests import factories
from tests.conftest import TEST_REDIS_URL
from tests.workers import WorkerProcess, wait_for_workers, wait_until, worker_environment

pytestmark = pytest.mark.redis


def _request(order) -> FulfillmentRequest:
    return db.session.scalars(select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)
                              .execution_options(populate_existing=True)).one()


def _place(world):
    order = factories.make_order(world.customer, [{"plan": world.customer_plan}], placed_by=world.users.customer)
    hand_off(order)
    db.session.commit()
    return order


def test_a_job_past_its_timeout_is_stopped_in_the_simple_worker_which_then_runs_the_next(
        app, world, database_url, run_dir, monkeypatch):
    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    monkeypatch.setitem(app.config, "PROVISIONING_JOB_TIMEOUT", 1)  # the enqueuer sets each job's timeout
    env = worker_environment(database_url, TEST_REDIS_URL, WORKER_CLASS="simple", PROVISIONING_MAX_ATTEMPTS=1)
    log_path = run_dir / "timeout-worker.log"
    worker = WorkerProcess(env, log_path)
    try:
        wait_for_workers(redis, 1)
        # given a vendor that takes 5 s while a job may take 1 s
        world.product.connector_settings = {"latency": 5.0}
        slow = _place(world)
        # then the job is stopped and the attempt recorded as failed (one attempt allowed)
        wait_until(lambda: _request(slow).state == "failed", timeout=30, message="the slow request to fail")
        assert _request(slow).last_error.startswith("JobTimeoutException")
        # and the same worker process, still running, provisions the next order
        world.product.connector_settings = {"latency": 0}
        fast = _place(world)
        wait_until(lambda: _request(fast).state == "completed", timeout=30, message="the next request to complete")
        assert worker.alive() and worker.horses() == []
    except AssertionError:
        print(log_path.read_text()[-4000:])
        raise
    finally:
        worker.stop(timeout=5)
        redis.close()

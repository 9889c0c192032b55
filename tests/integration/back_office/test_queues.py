"""The back office's queue page reads RQ's registries in Redis: queue lengths, failed jobs (with a
requeue), the workers alive and the scheduler's duties with their last runs (issue 13)."""
from __future__ import annotations

import re

import pytest
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.cron import CronScheduler

from app.worker import noop_job
from tests.conftest import TEST_REDIS_URL
from tests.factories import PASSWORD


@pytest.fixture()
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


def failing_job() -> None:
    raise RuntimeError("the vendor answered 502")


def _fail_one(redis, queue_name: str = "default") -> str:
    queue = Queue(queue_name, connection=redis)
    job = queue.enqueue(failing_job)
    SimpleWorker([queue], connection=redis).work(burst=True)  # runs it here, without forking a work-horse
    return job.id


def _row(page: str, queue: str) -> list[str]:
    row = re.search(rf'<tr id="queue-{queue}">(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'<td class="text-end">(?:<span[^>]*>)?(\d+)', row)


def test_staff_see_queue_lengths_and_the_failed_job_with_its_error(client, auth, world, redis):
    Queue("provisioning", connection=redis).enqueue(noop_job)
    Queue("provisioning", connection=redis).enqueue(noop_job)
    job_id = _fail_one(redis)
    auth.login("staff@dist.test")

    response = client.get("/staff/queues")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _row(page, "provisioning") == ["2", "0", "0", "0"]
    assert _row(page, "default") == ["0", "0", "0", "1"]
    assert job_id in page and "RuntimeError: the vendor answered 502" in page
    assert "tests.integration.back_office.test_queues.failing_job" in page


def test_requeue_puts_the_failed_job_back_and_a_second_requeue_says_it_is_gone(client, auth, world, redis):
    job_id = _fail_one(redis)
    auth.login("staff@dist.test")

    first = client.post(f"/staff/queues/default/failed/{job_id}/requeue", follow_redirects=True)
    second = client.post(f"/staff/queues/default/failed/{job_id}/requeue", follow_redirects=True)

    assert f"Job {job_id} is back on the default queue." in first.get_data(as_text=True)
    assert Queue("default", connection=redis).job_ids == [job_id]
    assert "That job is no longer among the failed jobs." in second.get_data(as_text=True)
    assert Queue("default", connection=redis).job_ids == [job_id]


def test_an_unknown_queue_or_a_malformed_job_id_is_not_found_and_changes_nothing(client, auth, world, redis):
    job_id = _fail_one(redis)
    auth.login("staff@dist.test")

    assert client.post(f"/staff/queues/mail/failed/{job_id}/requeue").status_code == 404
    assert client.post("/staff/queues/default/failed/a%20b/requeue").status_code == 404
    assert Queue("default", connection=redis).failed_job_registry.get_job_ids() == [job_id]


def test_workers_alive_and_the_scheduler_duties_are_listed(client, auth, world, redis):
    worker = Worker([Queue("provisioning", connection=redis)], connection=redis, name="web-1-worker")
    worker.register_birth()
    worker.heartbeat()
    scheduler = CronScheduler(connection=redis, name="scheduler-test")
    scheduler.register(noop_job, "default", interval=600)
    scheduler.register_birth()
    scheduler.enqueue_jobs()  # the first run of each duty is due at once
    auth.login("staff@dist.test")

    page = client.get("/staff/queues").get_data(as_text=True)

    assert "web-1-worker" in page and "provisioning" in page
    assert "scheduler-test" in page and "app.worker.noop_job" in page and "600 s" in page
    assert '<span class="badge text-bg-light border">queued</span>' in page  # its last run waits for a worker
    assert "JobStatus" not in page and "WorkerStatus" not in page
    assert "No worker is alive" not in page


def test_without_workers_or_scheduler_the_page_says_what_waits(client, auth, world, redis):
    auth.login("staff@dist.test")
    page = client.get("/staff/queues").get_data(as_text=True)
    assert "No worker is alive" in page and "No scheduler is running" in page


def test_redis_down_answers_503_with_a_clear_message(make_app, world):
    application = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    client = application.test_client()
    client.post("/sign-in", data={"email": "staff@dist.test", "password": PASSWORD})
    response = client.get("/staff/queues")
    assert response.status_code == 503
    assert "Redis does not answer" in response.get_data(as_text=True)


def test_customers_and_resellers_do_not_find_the_page(client, auth, world, redis):
    auth.login(world.users.customer.email)
    assert client.get("/staff/queues").status_code == 404

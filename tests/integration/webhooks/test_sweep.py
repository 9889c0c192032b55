"""The periodic sweep finds deliveries whose job never ran (Redis was down at commit) and
queues them again; it leaves alone those not yet due, being sent, or finished."""
from __future__ import annotations

from datetime import datetime, timedelta

from redis import Redis
from rq import Queue

from app.core.clock import FixedClock
from app.extensions import db
from app.webhooks.delivery import due_deliveries
from app.webhooks.endpoints import register_endpoint, send_test_event
from app.webhooks.jobs import sweep_webhook_deliveries_job
from tests.conftest import TEST_REDIS_URL

T0 = datetime(2026, 3, 2, 10)


def test_the_sweep_requeues_only_lost_deliveries(app, world, monkeypatch):
    endpoint = register_endpoint(world.reseller, "https://a.example.test/", ["order.placed"], "", user=None, now=T0)
    lost, later, sending, done = (send_test_event(world.reseller, endpoint.id, T0) for _ in range(4))
    later.next_attempt_at = T0 + timedelta(hours=1)
    sending.claimed_until = T0 + timedelta(minutes=5)
    done.state = "delivered"
    db.session.info.pop("webhook_deliveries", None)  # as if Redis had been down at the commit
    db.session.commit()
    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(T0 + timedelta(minutes=2)))

    assert due_deliveries(T0 + timedelta(seconds=10), timedelta(seconds=30)) == []  # still within the grace
    assert sweep_webhook_deliveries_job() == 1

    queue = Queue("default", connection=redis)
    assert [job.args for job in queue.get_jobs()] == [(lost.id,)]
    redis.flushdb()
    redis.close()

"""Provisioning end to end with the real Redis and real ``flask worker`` processes."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from types import SimpleNamespace

import pytest
from redis import Redis
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.mail.models import OutboxMessage
from app.provisioning.handoff import hand_off
from app.provisioning.models import DemoVendorCall, FulfillmentRequest
from app.provisioning.signing import signature_header
from tests.conftest import TEST_REDIS_URL
from tests.workers import PROJECT_ROOT, WorkerProcess, free_port, wait_for_workers, wait_until, worker_environment

pytestmark = pytest.mark.redis

SECRET = "s3cret"


def _simulator(port: int, mode: str, log, started: list) -> None:
    """Starts a vendor simulator and waits until it answers (a loaded machine has taken 20 s to
    start one); the process is put in ``started`` first, so the caller stops it whatever happens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app.provisioning.vendor_simulator", "--port", str(port), "--mode", mode,
         "--secret", SECRET, "--callback-delay", "1.5"], cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    started.append(process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the vendor simulator on port {port} exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/calls", timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"the vendor simulator on port {port} did not start within 60 s")


@pytest.fixture(scope="module")
def stack(_session_app, database_url, run_dir):
    """Two workers, the app served on loopback (for vendor call-backs), two vendor simulators."""
    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    log_path = run_dir / "provisioning-workers.log"
    log = open(log_path, "ab")
    server = make_server("127.0.0.1", 0, _session_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = SimpleNamespace(sync=free_port(), async_=free_port())
    simulators, workers = [], []
    try:
        _simulator(ports.sync, "sync", log, simulators)
        _simulator(ports.async_, "async", log, simulators)
        env = worker_environment(database_url, TEST_REDIS_URL, PUBLIC_BASE_URL=f"http://127.0.0.1:{server.server_port}")
        workers.extend(WorkerProcess(env, log_path) for _ in range(2))
        wait_for_workers(redis, 2)
        yield SimpleNamespace(log_path=log_path, ports=ports)
    finally:
        for worker in workers:
            worker.stop()
        for simulator in simulators:
            simulator.terminate()
            try:
                simulator.wait(timeout=10)
            except subprocess.TimeoutExpired:
                simulator.kill()
                simulator.wait()
        server.shutdown()
        log.close()
        redis.close()


@pytest.fixture
def provisioned(stack, app, place_order):
    """``provisioned(...)``: places and hands off an order (see ``place_order``); the test's
    requests are all finished (or the worker log is shown) before its tables are wiped."""
    orders = []

    def place(**options):
        order = place_order(**options)
        hand_off(order)
        db.session.commit()
        orders.append(order.id)
        return order

    yield place
    try:
        wait_until(lambda: not db.session.scalar(select(func.count(FulfillmentRequest.id)).where(
            FulfillmentRequest.order_id.in_(orders), FulfillmentRequest.state.in_(["pending", "processing"]))),
            timeout=20, message="the test's requests to settle")
    except AssertionError:
        print(stack.log_path.read_text()[-5000:])
        raise


def _requests(order):
    return db.session.scalars(select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)
                              .order_by(FulfillmentRequest.id)).all()


def _order_status(order, status):
    return lambda: db.session.get(type(order), order.id).status == status


def _vendor_calls(key):
    return [(call.outcome, call.took_effect) for call in
            db.session.scalars(select(DemoVendorCall).where(DemoVendorCall.idempotency_key == key).order_by(DemoVendorCall.id))]


def test_an_order_is_provisioned_by_the_workers(provisioned):
    order = provisioned(lines=2, settings={"latency": 0.2})

    wait_until(_order_status(order, "completed"), timeout=20, message="the order to complete")

    requests = _requests(order)
    assert [(r.state, r.attempts, r.subscription.status) for r in requests] == [("completed", 1, "active")] * 2
    assert [_vendor_calls(r.idempotency_key) for r in requests] == [[("done", True)]] * 2
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "new_subscription")) == 2


def test_transient_failures_are_retried_with_backoff_then_completed(provisioned):
    order = provisioned(settings={"fail_first": 2})

    wait_until(_order_status(order, "completed"), timeout=20, message="the order to complete")

    request = _requests(order)[0]
    assert (request.attempts, request.subscription.status) == (3, "active")
    assert _vendor_calls(request.idempotency_key) == [("error", False), ("error", False), ("done", True)]


def test_a_permanent_failure_is_shown_then_retried_by_staff_and_completed(provisioned, client, auth, world):
    order = provisioned(settings={"failure_rate": 1.0})
    wait_until(_order_status(order, "failed"), timeout=20, message="the order to fail")
    auth.login("admin@customer-a.test")
    page = client.get(f"/provisioning/orders/{order.number}/progress").get_data(as_text=True)
    assert 'data-request-state="failed"' in page and "Our team has been notified and will retry" in page
    request = _requests(order)[0]
    assert (request.attempts, request.subscription.status) == (3, "failed")

    world.product.connector_settings = {}  # the vendor is back
    db.session.commit()
    auth.logout()
    auth.login("staff@dist.test")
    assert client.post(f"/staff/provisioning/{request.id}/retry").status_code == 302

    wait_until(_order_status(order, "completed"), timeout=20, message="the retried order to complete")
    db.session.refresh(request)
    assert (request.state, request.attempts, request.subscription.status) == ("completed", 1, "active")
    assert [outcome for outcome, _ in _vendor_calls(request.idempotency_key)] == ["error", "error", "error", "done"]


def test_the_vendors_question_is_answered_by_the_buyer_and_provisioning_continues(provisioned, client, auth):
    order = provisioned(settings={"taken_domains": ["taken.example"]}, parameters={"domain": "taken.example"})
    request = _requests(order)[0]
    wait_until(lambda: db.session.get(FulfillmentRequest, request.id).state == "inquiring", timeout=20, message="the question")
    auth.login("admin@customer-a.test")
    page = client.get(f"/provisioning/orders/{order.number}/progress").get_data(as_text=True)
    assert "The domain taken.example is already registered with another account." in page

    response = client.post(f"/provisioning/requests/{request.id}/answer", data={"value": "fresh.example"})

    assert response.status_code == 302
    wait_until(_order_status(order, "completed"), timeout=20, message="the order to complete")
    db.session.refresh(request)
    assert request.subscription.parameters == {"domain": "fresh.example"}
    assert _vendor_calls(request.idempotency_key) == [("inquire", False), ("done", True)]


def _simulator_calls(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/calls", timeout=5) as response:
        return json.load(response)


def test_the_webhook_vendor_that_answers_at_once(provisioned, stack):
    order = provisioned(connector="webhook", settings={"url": f"http://127.0.0.1:{stack.ports.sync}/events", "secret": SECRET})

    wait_until(_order_status(order, "completed"), timeout=20, message="the order to complete")

    request = _requests(order)[0]
    assert request.subscription.vendor_reference.startswith("SIM-")
    assert _simulator_calls(stack.ports.sync)[request.idempotency_key] == 1


def test_the_webhook_vendor_that_calls_back_and_refused_call_backs(provisioned, stack, client):
    order = provisioned(connector="webhook", settings={"url": f"http://127.0.0.1:{stack.ports.async_}/events", "secret": SECRET})
    request = _requests(order)[0]
    wait_until(lambda: db.session.get(FulfillmentRequest, request.id).awaits_vendor, timeout=20, message="the 202")

    body = json.dumps({"status": "done", "vendor_reference": "FORGED"}).encode()
    tampered = client.post(f"/vendor/callback/{request.id}", data=body.replace(b"FORGED", b"FORGED2"),
                           headers={"X-Marketplace-Signature": signature_header(SECRET, body, int(time.time()))})
    stale = client.post(f"/vendor/callback/{request.id}", data=body,
                        headers={"X-Marketplace-Signature": signature_header(SECRET, body, int(time.time()) - 301)})

    assert (tampered.status_code, stale.status_code) == (401, 401)
    db.session.refresh(request)
    assert (request.state, request.vendor_reference, request.subscription.status) == ("processing", "", "pending")
    wait_until(_order_status(order, "completed"), timeout=20, message="the vendor's call-back")
    db.session.refresh(request)
    assert request.subscription.vendor_reference.startswith("SIM-")
    assert _simulator_calls(stack.ports.async_)[request.idempotency_key] == 1

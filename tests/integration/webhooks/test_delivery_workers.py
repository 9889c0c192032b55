"""Webhook delivery end to end: real ``flask worker`` processes on the real Redis post signed
events to a receiver on loopback (a small threaded HTTP server in the test)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import uuid4

import pytest
from redis import Redis
from sqlalchemy import select

from app.billing.models import Invoice
from app.billing.invoicing import mark_invoice_paid
from app.core.clock import current_now
from app.extensions import db
from app.orders.change_lines import ChangeRequest, place_change_order, preview_change
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import LineRequest
from app.orders.models import Order
from app.plans.duties import run_duties
from app.plans.models import Subscription
from app.webhooks.endpoints import register_endpoint, send_test_event
from app.webhooks.events import EVENT_TYPES
from app.webhooks.models import Event, WebhookDelivery
from app.webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, WebhookSignatureError, verify_signature
from tests.conftest import TEST_REDIS_URL
from tests.integration.checkout.conftest import shop  # noqa: F401  (fixture)
from tests.integration.checkout.helpers import term_of
from tests.workers import WorkerProcess, free_port, wait_for_workers, wait_until, worker_environment

pytestmark = pytest.mark.redis


class Receiver:
    """Collects every POST (path, headers, raw body) on a loopback port; answers 200."""

    def __init__(self, port: int) -> None:
        self.port, self.received, self.server = port, [], None
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append((self.path, dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def on(self, path: str) -> list[tuple[dict, bytes]]:
        with self.lock:
            return [(headers, body) for got, headers, body in self.received if got == path]


@pytest.fixture(scope="module")
def worker(_session_app, database_url, run_dir):
    """One worker (with RQ's scheduler, for the delayed retries) and short retry delays."""
    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    log_path = run_dir / "webhook-workers.log"
    env = worker_environment(database_url, TEST_REDIS_URL, WEBHOOK_RETRY_DELAYS="0.5,1", WEBHOOK_DELIVERY_TIMEOUT="2")
    process = WorkerProcess(env, log_path)
    try:
        wait_for_workers(redis, 1)
        yield process
    finally:
        process.stop()
        redis.close()


def _check(headers: dict, body: bytes, secret: str) -> dict:
    verify_signature(body, headers[SIGNATURE_HEADER], secret)
    document = json.loads(body)
    assert headers[EVENT_ID_HEADER] == document["id"]
    return document


def _all_delivered() -> bool:
    states = list(db.session.scalars(select(WebhookDelivery.state)))
    return bool(states) and all(state == "delivered" for state in states)


def test_a_receiver_gets_every_event_of_a_purchase_to_renewal_once_signature_checked(app, shop, worker):
    # given endpoints of the customer and of its reseller, subscribed to every event
    receiver = Receiver(free_port()).start()
    customer_hook = register_endpoint(shop.customer, receiver.url("/customer"), list(EVENT_TYPES), "", user=None, now=current_now())
    reseller_hook = register_endpoint(shop.reseller, receiver.url("/reseller"), list(EVENT_TYPES), "", user=None, now=current_now())
    shop.customer.credit_limit = 1_000_000
    db.session.commit()
    secrets = {"/customer": customer_hook.secret, "/reseller": reseller_hook.secret}
    user = shop.users.customer
    try:
        # when the customer buys on account and the worker provisions it
        lines = [LineRequest(term_of(shop.customer_plan).id, {"seats": 6})]
        preview = prepare(shop.customer, shop.us, lines, placed_by=user)
        order = place_order(CheckoutRequest(shop.customer, user, shop.us, lines, uuid4().hex, preview.quote.fingerprint,
                                            frozenset(t.token for t in preview.terms)), current_now())
        wait_until(lambda: db.session.get(Order, order.id).status == "completed", 60, message="the purchase provisioned")
        subscription_id = db.session.get(Order, order.id).lines[0].subscription_id
        # and raises its seats (prorated), provisioned too
        subscription = db.session.get(Subscription, subscription_id)
        requested, now = {shop.seats.id: 9}, current_now()
        change = preview_change(subscription, requested, now, by_customer=True)
        placed = place_change_order(ChangeRequest(subscription_id, requested, change.change.fingerprint, uuid4().hex,
                                                  placed_by=user, by_customer=True), now)
        wait_until(lambda: db.session.get(Order, placed.order.id).status == "completed", 60, message="the change provisioned")
        # and the period ends: renewed and invoiced, and the renewal invoice is paid
        period_end = db.session.get(Subscription, subscription_id).current_period_end
        run_duties(period_end)
        renewal = db.session.scalar(select(Invoice).where(Invoice.kind == "renewal"))
        mark_invoice_paid(renewal, period_end)
        db.session.commit()

        # then every event of each organisation arrives at its endpoint once, signed with its secret
        wait_until(_all_delivered, 60, message="every delivery delivered")
        for organisation, path in ((shop.customer, "/customer"), (shop.reseller, "/reseller")):
            events = db.session.scalars(select(Event).where(Event.organisation_id == organisation.id).order_by(Event.id)).all()
            documents = [_check(headers, body, secrets[path]) for headers, body in receiver.on(path)]
            assert sorted(d["id"] for d in documents) == sorted(e.public_id for e in events)  # each once
            assert {d["type"] for d in documents} == {
                "order.placed", "invoice.issued", "order.completed", "subscription.activated", "subscription.changed",
                "subscription.renewed", "invoice.paid"}
            by_id = {d["id"]: d for d in documents}
            assert all(by_id[e.public_id]["data"]["object"] == e.data for e in events)
        renewed = next(d for _, body in receiver.on("/customer") if (d := json.loads(body))["type"] == "subscription.renewed")
        assert renewed["data"]["object"]["quantities"]["seats"] == 9

        # and a forged or replayed copy of a real delivery is detected by the documented check
        headers, body = receiver.on("/customer")[0]
        with pytest.raises(WebhookSignatureError, match="does not match"):
            verify_signature(body.replace(b'"order', b'"refund'), headers[SIGNATURE_HEADER], secrets["/customer"])
        with pytest.raises(WebhookSignatureError, match="does not match"):
            verify_signature(body, headers[SIGNATURE_HEADER], secrets["/reseller"])
        signed_at = int(headers[SIGNATURE_HEADER].split(",")[0][2:])
        with pytest.raises(WebhookSignatureError, match="tolerance"):
            verify_signature(body, headers[SIGNATURE_HEADER], secrets["/customer"], now=signed_at + 301)
    finally:
        receiver.stop()


def test_with_the_receiver_down_deliveries_are_retried_and_arrive_once_it_is_back(app, world, worker):
    # given an endpoint whose receiver is down
    port = free_port()
    endpoint = register_endpoint(world.reseller, f"http://127.0.0.1:{port}/hooks", ["order.placed"], "", user=None, now=current_now())
    delivery = send_test_event(world.reseller, endpoint.id, current_now())
    db.session.commit()

    # when the worker has failed to reach it twice
    def failed_twice():
        row = db.session.get(WebhookDelivery, delivery.id)
        return row.attempts >= 2 and row.claimed_until is None  # the second attempt finished, failing

    wait_until(failed_twice, 30, message="two failed attempts")
    failed = db.session.get(WebhookDelivery, delivery.id)
    assert failed.state == "pending" and failed.last_status_code is None and failed.last_error
    receiver = Receiver(port).start()
    try:
        # then a retry reaches it once it is back, once, signed
        wait_until(lambda: db.session.get(WebhookDelivery, delivery.id).state == "delivered", 30, message="the retry delivered")
        ((headers, body),) = receiver.on("/hooks")
        document = _check(headers, body, endpoint.secret)
        assert document["id"] == delivery.event.public_id and document["type"] == "webhook.test"
        done = db.session.get(WebhookDelivery, delivery.id)
        assert done.attempts >= 3 and done.last_status_code == 200 and done.delivered_at is not None
    finally:
        receiver.stop()

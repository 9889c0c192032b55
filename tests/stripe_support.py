"""localstripe for tests: one server per test run on a free loopback port, wiped before each test.

Fixtures (import them into a conftest or test module): ``localstripe_server`` (session: the
process) and ``localstripe`` (per test: wiped, with the app's ``STRIPE_API_BASE`` pointing at
it). ``LocalStripe`` talks to the server directly, as a bank or a browser would: test cards,
3-D Secure answers, intents counted, webhooks registered. ``signed_event`` signs an event
payload the way Stripe does.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

SECRET_KEY = "sk_test_localstripe"
PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_SECRET = "whsec_test_payments"

VISA = "4242424242424242"
THREE_D_SECURE = "4000002760003184"
DECLINED_AT_PAYMENT = "4000000000000341"
DECLINED_AT_ATTACH = "4000000000000002"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class LocalStripe:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.auth = (SECRET_KEY, "")

    def _call(self, method: str, path: str, **data) -> dict:
        response = self.http.request(method, self.base + path, data=data or None, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}

    def wipe(self) -> None:
        self._call("DELETE", "/_config/data")

    def card(self, number: str = VISA) -> str:
        """A PaymentMethod for a test card number (not attached to anyone)."""
        return self._call("POST", "/v1/payment_methods", **{
            "type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123"})["id"]

    def payment_intents(self, order_id: int | None = None) -> list[dict]:
        intents = self._call("GET", "/v1/payment_intents?limit=1000")["data"]
        if order_id is None:
            return intents
        return [intent for intent in intents if intent["metadata"].get("order_id") == str(order_id)]

    def payment_intent(self, intent_id: str) -> dict:
        return self._call("GET", f"/v1/payment_intents/{intent_id}")

    def authenticate(self, intent_id: str, client_secret: str, success: bool) -> dict:
        """Answer the bank's 3-D Secure challenge, as Stripe.js does in the browser."""
        response = requests.post(f"{self.base}/v1/payment_intents/{intent_id}/_authenticate",
                                 data={"key": PUBLISHABLE_KEY, "client_secret": client_secret, "success": str(success).lower()}, timeout=10)
        response.raise_for_status()
        return response.json()

    def confirm_setup(self, setup_intent_id: str, client_secret: str, number: str = VISA) -> dict:
        """Confirm a SetupIntent with a card, as Stripe.js ``confirmCardSetup`` does."""
        response = requests.post(f"{self.base}/v1/setup_intents/{setup_intent_id}/confirm", json={
            "key": PUBLISHABLE_KEY, "client_secret": client_secret, "use_stripe_sdk": True,
            "payment_method_data": {"type": "card", "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}}}, timeout=10)
        response.raise_for_status()
        return response.json()

    def register_webhook(self, url: str, secret: str = WEBHOOK_SECRET, events: tuple[str, ...] = ()) -> None:
        data = {"url": url, "secret": secret}
        if events:
            data["events[]"] = list(events)
        response = requests.post(f"{self.base}/_config/webhooks/tests", data=data, timeout=10)
        response.raise_for_status()

    def unregister_webhook(self) -> None:
        # localstripe cannot delete a webhook: point it at nothing, for an event that never comes.
        self.register_webhook(f"http://127.0.0.1:{free_port()}/", events=("never.sent",))


def signed_event(event: dict, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and ``Stripe-Signature`` header Stripe would send for ``event``."""
    payload = json.dumps(event, sort_keys=True)
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return payload.encode(), f"t={timestamp},v1={signature}"


def event(event_id: str, event_type: str, data_object: dict) -> dict:
    return {"id": event_id, "object": "event", "type": event_type, "api_version": "2017-08-15",
            "created": int(time.time()), "livemode": False, "data": {"object": data_object}}


@pytest.fixture(scope="session")
def localstripe_server(run_dir: Path):
    port = free_port()
    log = (run_dir / "localstripe.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "app.payments.localstripe_server", "--port", str(port),
                                "--state-file", str(run_dir / "localstripe.pickle")], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port)
        yield LocalStripe(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def localstripe(app, localstripe_server):
    """localstripe, emptied, with the app pointed at it and the test webhook secret."""
    localstripe_server.wipe()
    saved = {key: app.config[key] for key in ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")}
    app.config.update(STRIPE_API_BASE=localstripe_server.base, STRIPE_SECRET_KEY=SECRET_KEY,
                      STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    yield localstripe_server
    app.config.update(saved)

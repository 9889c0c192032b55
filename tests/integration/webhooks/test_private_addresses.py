"""Webhooks go to public addresses only (unless a development deployment allows private ones):
a URL naming a loopback, private, link-local or reserved address is refused at registration,
and a delivery is not sent to one (server-side request forgery)."""
from __future__ import annotations

import html
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.core.clock import FixedClock
from app.extensions import db
from app.webhooks.addresses import address_refusal, private_address
from app.webhooks.delivery import deliver
from app.webhooks.endpoints import register_endpoint, send_test_event
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

NOW = datetime(2026, 3, 2, 10)


@pytest.mark.parametrize("host, found", [
    ("127.0.0.1", "127.0.0.1"), ("10.1.2.3", "10.1.2.3"), ("192.168.0.5", "192.168.0.5"), ("172.16.9.9", "172.16.9.9"),
    ("169.254.169.254", "169.254.169.254"), ("0.0.0.0", "0.0.0.0"), ("[::1]", "::1"), ("fd00::1", "fd00::1"),
    ("::ffff:127.0.0.1", "::ffff:7f00:1"), ("100.64.0.1", "100.64.0.1"), ("localhost", None),
    ("93.184.216.34", None), ("2606:4700::1111", None),
])
def test_private_and_reserved_addresses_are_found(host, found):
    if host == "localhost":  # resolved from the hosts file, no network: loopback
        assert private_address(host) in ("127.0.0.1", "::1")
    else:
        assert private_address(host) == found


def test_a_deployment_may_allow_private_addresses():
    assert address_refusal("127.0.0.1", allow_private=True) is None
    assert address_refusal("127.0.0.1", allow_private=False) == (
        "127.0.0.1 is a private or reserved address (127.0.0.1): webhooks are sent to public internet addresses only.")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "http://169.254.169.254/latest/meta-data/",
                                 "https://10.0.0.7/", "http://[::1]/", "http://localhost:5000/"])
def test_registering_a_private_address_is_refused_and_nothing_is_written(app, client, auth, world, monkeypatch, url):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
    auth.login("admin@customer-a.test")

    response = client.post("/customer/webhooks", data={"url": url, "event_types": ["order.placed"]})

    assert response.status_code == 422
    assert "webhooks are sent to public internet addresses only" in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_a_public_address_is_accepted(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
    auth.login("admin@customer-a.test")

    response = client.post("/customer/webhooks", data={"url": "https://93.184.216.34/hooks", "event_types": ["order.placed"]})

    assert response.status_code == 201


def test_a_delivery_to_an_address_that_became_private_is_not_sent(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    endpoint = register_endpoint(world.reseller, "http://127.0.0.1:9/hooks", ["order.placed"], "", user=None, now=NOW)
    delivery = send_test_event(world.reseller, endpoint.id, NOW)
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

    outcome, delay = deliver(delivery.id, NOW)

    db.session.expire_all()
    refused = db.session.get(WebhookDelivery, delivery.id)
    assert (outcome, delay) == ("retry", 60.0)
    assert refused.last_error.startswith("127.0.0.1 is a private or reserved address")
    assert refused.last_status_code is None

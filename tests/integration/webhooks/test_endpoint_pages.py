"""The webhook pages of the reseller and customer panels: register (secret shown once),
refuse bad URLs, enable/disable/delete, test event, delivery log, redeliver; tenants and roles."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.clock import FixedClock
from app.extensions import db
from app.mail.models import OutboxMessage
from app.webhooks.delivery import deliver
from app.webhooks.endpoints import register_endpoint, send_test_event
from app.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from tests.workers import free_port

NOW = datetime(2026, 3, 2, 10)


@pytest.fixture
def clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.mark.parametrize("panel,email", [("reseller", "admin@reseller.test"), ("customer", "admin@customer-a.test")])
def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(client, auth, world, clock, panel, email):
    auth.login(email)

    response = client.post(f"/{panel}/webhooks", data={"url": "https://psa.example.test/hooks", "description": "PSA",
                                                       "event_types": ["order.placed", "invoice.paid"]})

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert (endpoint.url, endpoint.event_types, endpoint.status) == ("https://psa.example.test/hooks", ["invoice.paid", "order.placed"], "enabled")
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.organisation_id == (world.reseller if panel == "reseller" else world.customer).id
    assert endpoint.secret in response.get_data(as_text=True)
    listing = client.get(f"/{panel}/webhooks").get_data(as_text=True)
    assert "https://psa.example.test/hooks" in listing and endpoint.secret not in listing
    assert endpoint.secret not in client.get(f"/{panel}/webhooks/{endpoint.id}").get_data(as_text=True)


@pytest.mark.parametrize("url,message", [
    ("ftp://psa.example.test/hooks", "must start with http:// or https://"),
    ("javascript:alert(1)", "must start with http:// or https://"),
    ("file:///etc/passwd", "must start with http:// or https://"),
    ("https://", "must name a host"),
    ("https://user:pw@psa.example.test/", "user name or password"),
    ("https://psa.example.test:99999/", "not a valid URL"),
    ("https://psa.example.test/a b", "spaces"),
    ("", "Enter the URL"),
    ("https://psa.example.test/" + "a" * 500, "longer than 500"),
])
def test_a_bad_url_is_refused_with_its_reason_and_nothing_is_registered(client, auth, world, url, message):
    auth.login("admin@customer-a.test")

    response = client.post("/customer/webhooks", data={"url": url, "event_types": ["order.placed"]})

    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert _count(WebhookEndpoint) == 0


def test_no_event_or_an_unknown_event_is_refused(client, auth, world):
    auth.login("admin@customer-a.test")

    none = client.post("/customer/webhooks", data={"url": "https://a.example.test/"})
    unknown = client.post("/customer/webhooks", data={"url": "https://a.example.test/", "event_types": ["order.exploded"]})

    assert none.status_code == unknown.status_code == 422
    assert "Choose at least one event" in none.get_data(as_text=True)
    assert "Unknown event type: order.exploded" in unknown.get_data(as_text=True)
    assert _count(WebhookEndpoint) == 0


def test_disable_enable_test_event_redeliver_and_delete(client, auth, world, clock):
    endpoint = register_endpoint(world.customer, "http://127.0.0.1:9/hooks", ["order.placed"], "", user=None, now=NOW)
    db.session.commit()
    auth.login("admin@customer-a.test")
    base = f"/customer/webhooks/{endpoint.id}"

    assert client.post(f"{base}/test").status_code == 302
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.event.type, delivery.state, delivery.endpoint_id) == ("webhook.test", "pending", endpoint.id)
    page = client.get(base).get_data(as_text=True)
    assert delivery.event.public_id in page and 'data-state="pending"' in page

    assert client.post(f"{base}/disable").status_code == 302
    db.session.refresh(endpoint)
    assert (endpoint.status, endpoint.disabled_reason) == ("disabled", "Disabled by an administrator.")
    refused = client.post(f"{base}/test", follow_redirects=True)
    assert "This endpoint is disabled: enable it first." in refused.get_data(as_text=True)
    assert _count(WebhookDelivery) == 1

    client.post(f"{base}/enable")
    db.session.refresh(endpoint)
    assert endpoint.status == "enabled"
    delivery.state = "failed"
    db.session.commit()
    assert client.post(f"{base}/deliveries/{delivery.id}/redeliver").status_code == 302
    db.session.refresh(delivery)
    assert (delivery.state, delivery.next_attempt_at, delivery.redelivered_at) == ("pending", NOW, NOW)

    assert client.post(f"{base}/delete").headers["Location"].endswith("/customer/webhooks")
    assert _count(WebhookEndpoint) == 0 and _count(WebhookDelivery) == 0


def test_another_tenants_endpoint_is_not_found_and_members_may_not_use_the_pages(client, auth, world):
    endpoint = register_endpoint(world.customer, "https://a.example.test/", ["order.placed"], "", user=None, now=NOW)
    db.session.commit()

    auth.login("admin@customer-b.test")
    assert client.get(f"/customer/webhooks/{endpoint.id}").status_code == 404
    assert client.post(f"/customer/webhooks/{endpoint.id}/delete").status_code == 404
    auth.logout()
    auth.login("member@reseller.test")
    assert client.get("/reseller/webhooks").status_code == 403
    assert _count(WebhookEndpoint) == 1


def test_the_delivery_log_pages_newest_first_with_the_state_in_the_url(client, auth, world, clock, count_queries):
    endpoint = register_endpoint(world.reseller, "https://a.example.test/", ["order.placed"], "", user=None, now=NOW)
    for _ in range(30):
        send_test_event(world.reseller, endpoint.id, NOW)
    db.session.execute(WebhookDelivery.__table__.update().where(WebhookDelivery.id <= 3).values(state="delivered"))
    db.session.commit()
    auth.login("admin@reseller.test")

    with count_queries() as counter:
        first = client.get(f"/reseller/webhooks/{endpoint.id}").get_data(as_text=True)
    second = client.get(f"/reseller/webhooks/{endpoint.id}?page=2").get_data(as_text=True)
    delivered = client.get(f"/reseller/webhooks/{endpoint.id}?state=delivered").get_data(as_text=True)

    assert re.findall(r'data-delivery="(\d+)"', first) == [str(i) for i in range(30, 5, -1)]
    assert re.findall(r'data-delivery="(\d+)"', second) == ["5", "4", "3", "2", "1"]
    assert re.findall(r'data-delivery="(\d+)"', delivered) == ["3", "2", "1"]
    for odd in ("²", "0", "-1", "99999999", "x"):  # a page number that is not one opens the first page
        assert client.get(f"/reseller/webhooks/{endpoint.id}?page={odd}").status_code == 200
        assert client.get(f"/reseller/webhooks?page={odd}").status_code == 200
    assert counter.count < 15  # one query for the page's rows with their events, not one per row


def test_after_the_retry_window_the_endpoint_is_disabled_and_its_admins_are_emailed(app, world, monkeypatch):
    # given an endpoint nobody listens on and an event for it
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_DELAYS", (60, 3600))
    monkeypatch.setitem(app.config, "WEBHOOK_DELIVERY_TIMEOUT", 2.0)
    endpoint = register_endpoint(world.customer, f"http://127.0.0.1:{free_port()}/hooks", ["order.placed"], "", user=None, now=NOW)
    delivery = send_test_event(world.customer, endpoint.id, NOW)
    db.session.commit()

    # when it fails at once, again within the window, and again after three days
    first = deliver(delivery.id, NOW)
    second = deliver(delivery.id, NOW + timedelta(days=2, hours=23))
    db.session.refresh(endpoint)
    still_enabled = endpoint.status
    last = deliver(delivery.id, NOW + timedelta(days=3))

    # then it was retried on the schedule, then given up; the endpoint is off and the admin told
    assert (first, second, still_enabled) == (("retry", 60.0), ("retry", 3600.0), "enabled")
    assert last == ("failed", None)
    db.session.expire_all()
    failed = db.session.get(WebhookDelivery, delivery.id)
    assert (failed.state, failed.attempts) == ("failed", 3)
    assert "ConnectionRefusedError" in failed.last_error or "refused" in failed.last_error.lower()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert (endpoint.status, endpoint.disabled_at) == ("disabled", NOW + timedelta(days=3))
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook_endpoint_disabled")).all()
    assert [m.recipient for m in mail] == ["admin@customer-a.test"]
    assert endpoint.url in mail[0].body
    assert deliver(delivery.id, NOW + timedelta(days=4)) == ("nothing to do", None)
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_the_navigation_offers_webhooks_to_administrators_only(client, auth, world):
    auth.login("member@reseller.test")
    member_page = client.get("/reseller/reconciliation").get_data(as_text=True)
    auth.logout()
    auth.login("admin@reseller.test")
    admin_page = client.get("/reseller/reconciliation").get_data(as_text=True)

    assert 'href="/reseller/webhooks"' not in member_page and 'href="/reseller/reconciliation"' in member_page
    assert 'href="/reseller/webhooks"' in admin_page

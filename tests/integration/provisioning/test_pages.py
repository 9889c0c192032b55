"""The buyer's live progress, the answer form, the staff view and vendor call-backs (HTTP)."""
import json
import time

import pytest
from sqlalchemy import select

from app.core.clock import current_now
from app.extensions import db
from app.provisioning.connectors.base import Outcome
from app.provisioning.handoff import hand_off
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import claim_request, record_outcome, run_request
from app.provisioning.signing import signature_header

TAKEN = {"taken_domains": ["taken.example"]}


def _handed_off(place_order, **options) -> FulfillmentRequest:
    order = place_order(**options)
    hand_off(order)
    db.session.commit()
    return db.session.scalars(select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)).first()


def test_the_progress_fragment_polls_while_a_line_runs(client, auth, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order, lines=2)
    auth.login("admin@customer-a.test")

    page = client.get(f"/provisioning/orders/{request.order.number}/progress").get_data(as_text=True)

    assert f'hx-get="/provisioning/orders/{request.order.number}/progress"' in page
    assert 'hx-trigger="every 2s"' in page and 'hx-swap="outerHTML"' in page
    assert '<progress class="provisioning-bar w-100 mb-3" value="0" max="2"' in page
    assert page.count('data-request-state="pending"') == 2


def test_the_progress_fragment_stops_polling_when_every_line_is_finished(client, auth, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)
    run_request(request.id, "test:1")
    auth.login("admin@customer-a.test")

    page = client.get(f"/provisioning/orders/{request.order.number}/progress").get_data(as_text=True)

    assert "hx-get" not in page and 'data-polling="off"' in page
    assert 'data-request-state="completed"' in page and "Everything in this order is provisioned" in page


def test_a_failed_line_tells_the_buyer_what_happens_next(client, auth, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)
    claim = claim_request(request.id, current_now(), "test:1")
    record_outcome(request.id, claim.token, Outcome.error("vendor down", permanent=True), current_now())
    auth.login("admin@customer-a.test")

    page = client.get(f"/provisioning/orders/{request.order.number}/progress").get_data(as_text=True)

    assert 'data-request-state="failed"' in page
    assert "Our team has been notified and will retry" in page


@pytest.mark.parametrize("email, status", [("admin@customer-b.test", 404), ("admin@other.test", 404),
                                           ("admin@reseller.test", 404), ("staff@dist.test", 200)])
def test_the_progress_fragment_is_scoped_to_the_buyer(client, auth, clean_redis, place_order, email, status):
    request = _handed_off(place_order)
    auth.login(email)

    assert client.get(f"/provisioning/orders/{request.order.number}/progress").status_code == status


def test_an_unknown_order_number_is_not_found(client, auth, world):
    auth.login("admin@customer-a.test")
    assert client.get("/provisioning/orders/ORD-NOPE/progress").status_code == 404


def _inquiring(place_order) -> FulfillmentRequest:
    request = _handed_off(place_order, settings=TAKEN, parameters={"domain": "taken.example"})
    assert run_request(request.id, "test:1") == "inquire"
    db.session.refresh(request)
    return request


def test_the_vendors_question_is_shown_with_an_answer_form_and_polling_pauses(client, auth, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    auth.login("admin@customer-a.test")

    page = client.get(f"/provisioning/orders/{request.order.number}/progress").get_data(as_text=True)

    assert "The domain taken.example is already registered with another account." in page
    assert f'action="/provisioning/requests/{request.id}/answer"' in page
    assert 'value="taken.example"' in page and "hx-get" not in page


def test_an_answer_goes_back_to_the_vendor(client, auth, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    auth.login("admin@customer-a.test")

    response = client.post(f"/provisioning/requests/{request.id}/answer", data={"value": "Fresh.Example"})

    assert response.status_code == 302 and response.location == f"/orders/{request.order.number}"
    db.session.refresh(request)
    assert (request.state, request.question) == ("pending", None)
    assert request.order_line.parameters == {"domain": "fresh.example"}
    assert request.subscription.parameters == {"domain": "fresh.example"}
    assert run_request(request.id, "test:2") == "done"


def test_a_bad_htmx_answer_shows_the_reason_beside_the_field(client, auth, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    auth.login("admin@customer-a.test")

    response = client.post(f"/provisioning/requests/{request.id}/answer", data={"value": "nobody@"}, headers={"HX-Request": "true"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<div class="invalid-feedback" id="answer-{request.id}-error">Enter a domain name such as example.com.</div>' in page
    db.session.refresh(request)
    assert request.state == "inquiring"


def test_an_htmx_answer_gets_the_fragment_back(client, auth, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    auth.login("admin@customer-a.test")

    response = client.post(f"/provisioning/requests/{request.id}/answer", data={"value": "fresh.example"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert 'id="provisioning-progress"' in response.get_data(as_text=True)
    assert 'data-request-state="pending"' in response.get_data(as_text=True)


def test_a_bad_answer_is_refused_with_a_reason_and_nothing_changes(client, auth, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    auth.login("admin@customer-a.test")

    response = client.post(f"/provisioning/requests/{request.id}/answer", data={"value": "not a domain"}, follow_redirects=True)

    assert response.request.path == f"/orders/{request.order.number}"
    assert "Your answer was not sent: Enter a domain name such as example.com." in response.get_data(as_text=True)
    db.session.refresh(request)
    assert (request.state, request.order_line.parameters) == ("inquiring", {"domain": "taken.example"})


@pytest.mark.parametrize("email, status", [("admin@customer-b.test", 404), ("admin@reseller.test", 404),
                                           ("member@customer-a.test", 403)])
def test_only_the_buyers_administrators_may_answer(client, auth, world, clean_redis, place_order, fast_provisioning, email, status):
    from tests.factories import make_user

    make_user(world.customer, "member@customer-a.test", role="member")
    request = _inquiring(place_order)
    auth.login(email)

    response = client.post(f"/provisioning/requests/{request.id}/answer", data={"value": "fresh.example"})

    assert response.status_code == status
    db.session.refresh(request)
    assert request.state == "inquiring"


def test_an_answer_without_the_csrf_token_is_refused(make_app, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    protected = make_app(csrf=True).test_client()
    protected.post("/sign-in", data={"email": "admin@customer-a.test", "password": "Correct-horse-42"})

    response = protected.post(f"/provisioning/requests/{request.id}/answer", data={"value": "fresh.example"})

    assert response.status_code == 400
    db.session.refresh(request)
    assert request.state == "inquiring"


# --- staff ---------------------------------------------------------------------------------

def _failed(place_order) -> FulfillmentRequest:
    request = _handed_off(place_order, settings={"failure_rate": 1.0})
    for attempt in range(3):
        run_request(request.id, f"test:{attempt}")
    db.session.refresh(request)
    assert request.state == "failed"
    return request


def test_the_staff_view_lists_failed_requests_with_their_actions(client, auth, clean_redis, place_order, fast_provisioning):
    request = _failed(place_order)
    auth.login("staff@dist.test")

    page = client.get("/staff/provisioning").get_data(as_text=True)

    assert f'id="request-{request.id}"' in page
    assert "Demo vendor: the request timed out on our side (simulated)." in page
    assert f'action="/staff/provisioning/{request.id}/retry"' in page
    assert f'action="/staff/provisioning/{request.id}/complete"' in page


@pytest.mark.parametrize("email", ["admin@reseller.test", "admin@customer-a.test"])
def test_the_staff_view_does_not_exist_for_others(client, auth, clean_redis, place_order, email):
    request = _handed_off(place_order)
    auth.login(email)

    assert client.get("/staff/provisioning").status_code == 404
    assert client.post(f"/staff/provisioning/{request.id}/retry").status_code == 404


def test_completing_by_hand_needs_a_reason(client, auth, clean_redis, place_order, fast_provisioning):
    request = _failed(place_order)
    auth.login("staff@dist.test")

    response = client.post(f"/staff/provisioning/{request.id}/complete", data={"reason": "  "})

    assert response.status_code == 400
    assert "Give the reason." in response.get_data(as_text=True)
    db.session.refresh(request)
    assert (request.state, request.subscription.status) == ("failed", "failed")


def test_completing_by_hand_activates_the_subscription_and_records_who_and_why(client, auth, world, clean_redis, place_order, fast_provisioning):
    request = _failed(place_order)
    auth.login("staff@dist.test")

    response = client.post(f"/staff/provisioning/{request.id}/complete",
                           data={"reason": "Set up by the vendor's support, ticket 4411", "vendor_reference": "VEND-4411"})

    assert response.status_code == 302
    db.session.refresh(request)
    assert (request.state, request.resolution_note, request.resolved_by_id) == (
        "completed", "Set up by the vendor's support, ticket 4411", world.users.staff.id)
    assert (request.subscription.status, request.subscription.vendor_reference) == ("active", "VEND-4411")
    assert request.order.status == "completed"


def test_a_completed_request_cannot_be_retried(client, auth, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)
    run_request(request.id, "test:1")
    auth.login("staff@dist.test")

    response = client.post(f"/staff/provisioning/{request.id}/retry", follow_redirects=True)

    assert "Only failed or stuck requests can be retried." in response.get_data(as_text=True)
    db.session.refresh(request)
    assert (request.state, request.attempts) == ("completed", 1)


# --- vendor call-backs ---------------------------------------------------------------------

WEBHOOK = {"url": "http://127.0.0.1:9/events", "secret": "s3cret"}


def _awaiting_vendor(place_order) -> FulfillmentRequest:
    request = _handed_off(place_order, connector="webhook", settings=WEBHOOK)
    claim = claim_request(request.id, current_now(), "test:1")
    record_outcome(request.id, claim.token, Outcome.accepted(), current_now())
    db.session.refresh(request)
    assert request.awaits_vendor
    return request


def _callback(client, request_id, body: dict, secret="s3cret", timestamp=None, tamper=False):
    raw = json.dumps(body).encode()
    header = signature_header(secret, raw, int(timestamp or time.time()))
    if tamper:
        raw = raw.replace(b"VEND-1", b"VEND-2")
    return client.post(f"/vendor/callback/{request_id}", data=raw, headers={"X-Marketplace-Signature": header},
                       content_type="application/json")


def test_a_signed_call_back_completes_the_request(client, clean_redis, place_order, fast_provisioning):
    request = _awaiting_vendor(place_order)

    response = _callback(client, request.id, {"status": "done", "vendor_reference": "VEND-1"})

    assert (response.status_code, response.json) == (200, {"status": "ok", "state": "completed"})
    db.session.refresh(request)
    assert (request.subscription.status, request.subscription.vendor_reference) == ("active", "VEND-1")


@pytest.mark.parametrize("options, status", [
    ({"tamper": True}, 401), ({"secret": "guess"}, 401), ({"timestamp": time.time() - 301}, 401),
])
def test_a_tampered_forged_or_stale_call_back_is_refused_and_changes_nothing(client, clean_redis, place_order, fast_provisioning, options, status):
    request = _awaiting_vendor(place_order)

    response = _callback(client, request.id, {"status": "done", "vendor_reference": "VEND-1"}, **options)

    assert response.status_code == status
    db.session.refresh(request)
    assert (request.state, request.subscription.status, request.vendor_reference) == ("processing", "pending", "")


def test_a_call_back_for_an_unknown_request_is_not_found(client, clean_redis, place_order):
    assert _callback(client, 999, {"status": "done"}).status_code == 404


def test_the_call_back_needs_no_csrf_token(make_app, clean_redis, place_order, fast_provisioning):
    request = _awaiting_vendor(place_order)

    response = _callback(make_app(csrf=True).test_client(), request.id, {"status": "done", "vendor_reference": "VEND-1"})

    assert response.status_code == 200

"""Every endpoint of the partner API, through HTTP: each answer conforms to the generated
OpenAPI document (status documented, body valid); every endpoint with an id answers 404 to
another tenant's key and changes nothing; a read key cannot write; a revoked key and a session
cookie without a key get 401."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.api import openapi_document
from app.api.keys import revoke_key
from app.api.models import ApiKey
from app.core.clock import current_now
from app.extensions import db
from app.orders.models import Order
from app.plans.models import Subscription
from app.provisioning.handoff import hand_off
from tests.factories import make_invoice, make_order
from tests.integration.api.conftest import ApiClient, active_subscription, order_lines
from tests.integration.api.contract import violations


@pytest.fixture
def scene(world, client, api_key, buying_reseller, handed_off):
    """The reseller's objects of every kind, and keys: the reseller's (write and read), another
    reseller's (the intruder)."""
    subscription = active_subscription(world, world.customer)
    order = make_order(world.reseller, [{"plan": world.reseller_plan}], placed_by=world.users.reseller)
    (request,) = hand_off(order)
    request.state, request.question = "inquiring", {"parameter": "domain", "label": "Domain", "kind": "text",
                                                    "message": "Which domain should we use?"}
    invoice = make_invoice(world.reseller, (1000, 250))
    db.session.commit()
    return SimpleNamespace(
        owner=ApiClient(client, api_key(world.users.reseller)), reader=ApiClient(client, api_key(world.users.reseller, "read")),
        intruder=ApiClient(client, api_key(world.users.other_reseller)), subscription=subscription, order=order,
        request=request, invoice=invoice, customer=world.customer, plan=world.customer_plan, world=world,
    )


def _calls(scene) -> list[tuple[str, str, dict | None]]:
    """(method, path, body) of every operation, the ones with ids last."""
    s, world = scene, scene.world
    lines = order_lines(world)
    return [
        ("GET", "/api/v1/catalog/products", None),
        ("GET", "/api/v1/catalog/plans?limit=1", None),
        ("GET", "/api/v1/customers", None),
        ("POST", "/api/v1/customers", {"name": "Customer C", "contact_name": "Cora", "contact_email": "cora@customer-c.test",
                                       "admin_email": "boss@customer-c.test"}),
        ("GET", "/api/v1/orders", None),
        ("POST", "/api/v1/orders/quote", {"lines": lines}),
        ("POST", "/api/v1/orders", {"lines": lines, "fingerprint": "0" * 64}),
        ("GET", "/api/v1/subscriptions?status=active", None),
        ("GET", "/api/v1/invoices", None),
        ("GET", "/api/v1/events?type=order.placed&type=subscription.changed", None),
        ("GET", "/api/v1/reconciliation?year=2026&month=2", None),
        ("GET", f"/api/v1/catalog/plans/{s.plan.id}", None),
        ("GET", f"/api/v1/customers/{s.customer.id}", None),
        ("POST", f"/api/v1/customers/{s.customer.id}/administrators", {"email": "second@customer-a.test"}),
        ("GET", f"/api/v1/orders/{s.order.number}", None),
        ("GET", f"/api/v1/subscriptions/{s.subscription.id}", None),
        ("POST", f"/api/v1/subscriptions/{s.subscription.id}/changes/preview", {"quantities": {"seats": 9}}),
        ("POST", f"/api/v1/subscriptions/{s.subscription.id}/changes", {"quantities": {"seats": 9}, "fingerprint": "0" * 64}),
        ("POST", f"/api/v1/subscriptions/{s.subscription.id}/cancel", None),
        ("POST", f"/api/v1/subscriptions/{s.subscription.id}/resume", None),
        ("GET", f"/api/v1/invoices/{s.invoice.number}", None),
        ("GET", f"/api/v1/invoices/{s.invoice.number}/pdf", None),
        ("GET", f"/api/v1/fulfillment-requests/{s.request.id}", None),
        ("POST", f"/api/v1/fulfillment-requests/{s.request.id}/answer", {"answer": "example.com"}),
    ]


def _send(api: ApiClient, method: str, path: str, body):
    return api.get(path) if method == "GET" else api.post(path, json=body)


def test_every_answer_conforms_to_the_document_and_every_operation_is_exercised(app, scene):
    document = openapi_document()
    problems, seen = [], set()
    for method, path, body in _calls(scene):
        response = _send(scene.owner, method, path, body)
        assert response.status_code < 500, (method, path, response.get_data(as_text=True))
        problems += violations(app, document, method, path, response)
        seen.add((method, app.url_map.bind("localhost").match(path.split("?")[0], method=method, return_rule=True)[0].rule))
        # the error answers too: a bad query, an unknown id
        if method == "GET" and "?" not in path and not path.endswith("pdf"):
            problems += violations(app, document, "GET", path, scene.intruder.get(path))
    problems += violations(app, document, "GET", "/api/v1/subscriptions?limit=0", scene.owner.get("/api/v1/subscriptions?limit=0"))
    problems += violations(app, document, "POST", "/api/v1/orders/quote", scene.reader.post("/api/v1/orders/quote", json={}))
    documented = {(verb.upper(), template) for template, operations in document["paths"].items()
                  for verb in operations if verb != "parameters"}
    exercised = {(method, __import__("re").sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)) for method, rule in seen}
    assert problems == []
    assert documented == exercised


def test_every_endpoint_with_an_id_answers_404_to_another_tenant_and_changes_nothing(scene):
    before = (db.session.scalar(select(func.count(Order.id))), scene.subscription.status)
    for method, path, body in _calls(scene):
        if any(str(value) in path for value in (scene.plan.id,)) and "/catalog/" in path:
            continue  # catalog plans are not tenant data: every buyer sees published plans at its prices
        if not any(part.isdigit() or part.startswith(("ORD", "INV")) for part in path.split("?")[0].split("/")):
            continue
        answer = _send(scene.intruder, method, path, body)
        assert answer.status_code == 404, (method, path, answer.status_code, answer.get_data(as_text=True))
        assert answer.mimetype == "application/problem+json"
    db.session.expire_all()
    after = (db.session.scalar(select(func.count(Order.id))),
             db.session.scalar(select(Subscription.status).where(Subscription.id == scene.subscription.id)))
    assert after == before


def test_a_read_key_cannot_write_anywhere(scene):
    for method, path, body in _calls(scene):
        if method == "POST":
            answer = scene.reader.post(path, json=body)
            assert answer.status_code == 403, (path, answer.status_code)
            assert answer.json["detail"] == "This API key may only read: use a key with write access."


def test_a_revoked_key_gets_401_everywhere(scene, world):
    key = db.session.scalar(select(ApiKey).where(ApiKey.scope == "write", ApiKey.organisation_id == world.reseller.id))
    revoke_key(world.reseller, key.id, world.users.reseller, current_now())
    db.session.commit()
    for method, path, body in _calls(scene):
        answer = _send(scene.owner, method, path, body)
        assert answer.status_code == 401, (path, answer.status_code)
        assert answer.mimetype == "application/problem+json"


def test_a_session_cookie_does_not_authenticate_the_api(scene, client, auth):
    auth.login("admin@reseller.test")

    answer = client.get("/api/v1/subscriptions")
    write = client.post(f"/api/v1/subscriptions/{scene.subscription.id}/cancel")

    assert (answer.status_code, write.status_code) == (401, 401)
    db.session.expire_all()
    assert db.session.get(Subscription, scene.subscription.id).status == "active"


def test_the_contract_check_catches_a_body_or_status_the_document_does_not_allow(app, world):
    from flask import Response

    document = openapi_document()
    wrong_body = Response('{"data": 1, "has_more": "no"}', status=200, mimetype="application/json")
    html_error = Response("<p>oops</p>", status=404, mimetype="text/html")

    assert len(violations(app, document, "GET", "/api/v1/subscriptions", wrong_body)) == 2
    assert violations(app, document, "GET", "/api/v1/subscriptions/1", html_error) != []

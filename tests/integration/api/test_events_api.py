"""GET /api/v1/events: the key's organisation's events, oldest first, paged by the last event's
evt_ id, filtered by type; another tenant's cursor is not found, a malformed one or an unknown
type is refused."""
from __future__ import annotations

from datetime import datetime

from app.api import openapi_document
from app.extensions import db
from app.webhooks.events import emit
from tests.integration.api.contract import violations

FEB_1 = datetime(2026, 2, 1, 9, 30, 15, 123456)


def _emit(world, event_type, organisation, number, when=FEB_1):
    (event,) = [e for e in emit(event_type, [organisation.id], {"object": "invoice", "id": number}, when)
                if e.organisation_id == organisation.id]
    return event


def test_lists_the_organisations_events_oldest_first_in_pages(app, world, api_as):
    events = [_emit(world, "invoice.paid", world.customer, number) for number in range(5)]
    _emit(world, "invoice.paid", world.foreign_customer, 99)
    db.session.commit()
    api = api_as(world.users.customer, "read")

    first = api.get("/api/v1/events?limit=2")
    second = api.get(f"/api/v1/events?limit=2&starting_after={first.json['data'][-1]['id']}")
    last = api.get(f"/api/v1/events?limit=2&starting_after={second.json['data'][-1]['id']}")

    assert [page.status_code for page in (first, second, last)] == [200, 200, 200]
    pages = [page.json for page in (first, second, last)]
    assert [[item["data"]["object"]["id"] for item in page["data"]] for page in pages] == [[0, 1], [2, 3], [4]]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert first.json["data"][0] == {
        "id": events[0].public_id, "object": "event", "type": "invoice.paid", "created": "2026-02-01T09:30:15Z",
        "organisation_id": world.customer.id, "data": {"object": {"object": "invoice", "id": 0}}}
    assert violations(app, openapi_document(), "GET", "/api/v1/events?limit=2", first) == []


def test_a_reseller_sees_its_customers_events_and_its_own(world, api_as):
    _emit(world, "invoice.issued", world.customer, 1)
    emit("order.placed", [world.reseller.id], {"object": "order", "id": 2}, FEB_1)
    db.session.commit()

    answer = api_as(world.users.reseller).get("/api/v1/events")

    assert [(item["type"], item["data"]["object"]["id"], item["organisation_id"]) for item in answer.json["data"]] == [
        ("invoice.issued", 1, world.reseller.id), ("order.placed", 2, world.reseller.id)]
    assert api_as(world.users.other_reseller).get("/api/v1/events").json == {"data": [], "has_more": False}


def test_filters_by_one_or_several_types(world, api_as):
    for number, event_type in enumerate(["invoice.issued", "invoice.paid", "order.placed", "invoice.paid"]):
        _emit(world, event_type, world.customer, number)
    db.session.commit()
    api = api_as(world.users.customer)

    paid = api.get("/api/v1/events?type=invoice.paid")
    several = api.get("/api/v1/events?type=invoice.paid&type=order.placed")

    assert [item["data"]["object"]["id"] for item in paid.json["data"]] == [1, 3]
    assert [item["data"]["object"]["id"] for item in several.json["data"]] == [1, 2, 3]


def test_an_unknown_type_or_a_malformed_cursor_is_refused_with_422(world, api_as):
    api = api_as(world.users.customer)

    unknown = api.get("/api/v1/events?type=order.exploded")
    malformed = api.get("/api/v1/events?starting_after=42")

    assert (unknown.status_code, unknown.mimetype) == (422, "application/problem+json")
    assert "type" in unknown.json["detail"] and "Must be one of" in unknown.json["detail"]
    assert (malformed.status_code, malformed.mimetype) == (422, "application/problem+json")
    assert "Give an event id such as evt_" in malformed.json["detail"]


def test_another_tenants_or_an_unknown_event_as_cursor_is_not_found(app, world, api_as):
    foreign = _emit(world, "invoice.paid", world.foreign_customer, 99)
    db.session.commit()
    api = api_as(world.users.customer)

    theirs = api.get(f"/api/v1/events?starting_after={foreign.public_id}")
    unknown = api.get("/api/v1/events?starting_after=evt_" + "0" * 24)

    for answer in (theirs, unknown):
        assert (answer.status_code, answer.mimetype) == (404, "application/problem+json")
        assert answer.json["detail"] == "That event was not found: give the id of one of your events as starting_after."
    assert violations(app, openapi_document(), "GET", "/api/v1/events", theirs) == []


def test_listing_a_page_is_one_query_for_the_rows_whatever_its_size(world, api_as, count_queries):
    for number in range(30):
        _emit(world, "invoice.paid", world.customer, number)
    db.session.commit()
    api = api_as(world.users.customer)
    cursor = api.get("/api/v1/events?limit=1").json["data"][0]["id"]

    with count_queries() as small:
        api.get(f"/api/v1/events?limit=2&starting_after={cursor}")
    with count_queries() as large:
        answer = api.get(f"/api/v1/events?limit=25&starting_after={cursor}")

    assert len(answer.json["data"]) == 25
    assert large.count == small.count

"""Orders through the API: the checkout's quote, then the order placed with the quote's
fingerprint, idempotent by Idempotency-Key (a replay answers the same; another body 422)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.api.models import IdempotencyRecord
from app.extensions import db
from app.orders.models import Order
from tests.integration.api.conftest import order_lines


def test_quote_then_place_an_order_at_the_resellers_cost(world, api_as, buying_reseller, handed_off):
    api = api_as(world.users.reseller)
    lines = order_lines(world, seats=6)

    quote = api.post("/api/v1/orders/quote", json={"lines": lines})
    placed = api.post("/api/v1/orders", json={"lines": lines, "fingerprint": quote.json["quote"]["fingerprint"],
                                              "accepted_terms": [terms["token"] for terms in quote.json["terms"]]},
                      headers={"Idempotency-Key": "order-1"})

    assert quote.status_code == 200, quote.json
    # 16.00 a month plus one seat above the five included at 2.00, plus 10 % tax
    assert quote.json["quote"]["subtotal"] == {"amount": 1800, "currency": "USD"}
    assert quote.json["quote"]["total"] == {"amount": 1980, "currency": "USD"}
    assert placed.status_code == 201, placed.json
    assert placed.json["total"] == {"amount": 1980, "currency": "USD"}
    assert placed.headers["Location"] == f"/api/v1/orders/{placed.json['number']}"
    assert handed_off == [placed.json["number"]]
    got = api.get(placed.headers["Location"])
    listed = api.get("/api/v1/orders")
    assert got.json == placed.json
    assert [order["number"] for order in listed.json["data"]] == [placed.json["number"]]


def test_the_same_key_and_body_replays_the_first_answer_and_another_body_is_422(world, api_as, buying_reseller, handed_off):
    api = api_as(world.users.reseller)
    lines = order_lines(world)
    quote = api.post("/api/v1/orders/quote", json={"lines": lines}).json
    body = {"lines": lines, "fingerprint": quote["quote"]["fingerprint"],
            "accepted_terms": [terms["token"] for terms in quote["terms"]]}

    first = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "same"})
    again = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "same"})
    other = api.post("/api/v1/orders", json={**body, "lines": order_lines(world, seats=7)},
                     headers={"Idempotency-Key": "same"})

    assert first.status_code == again.status_code == 201
    assert again.data == first.data
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert other.json["detail"] == ("This Idempotency-Key was already used with another request: use a new key for a "
                                    "new request.")
    assert db.session.scalar(select(func.count(Order.id))) == 1


def test_a_moved_price_answers_409_with_the_new_quote_and_places_nothing(world, api_as, buying_reseller, handed_off):
    answer = api_as(world.users.reseller).post("/api/v1/orders", json={"lines": order_lines(world), "fingerprint": "0" * 64},
                                              headers={"Idempotency-Key": "stale"})

    assert answer.status_code == 409
    assert answer.mimetype == "application/problem+json"
    assert answer.json["detail"] == "Prices changed since you looked. Check the new summary and place the order again."
    assert answer.json["quote"]["total"] == {"amount": 1980, "currency": "USD"}
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 0  # "try again" answers are not kept


def test_a_refusal_shows_the_pages_message_and_is_replayed(world, api_as, handed_off):
    api = api_as(world.users.reseller)  # no billing information on file
    body = {"lines": order_lines(world), "fingerprint": "f" * 64}

    first = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "k"})
    again = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "k"})

    assert first.status_code == 409
    assert first.json["detail"] == "Before your first order, tell us who to invoice."
    assert again.status_code == 409
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_an_invalid_line_is_422_naming_the_field(world, api_as, buying_reseller):
    answer = api_as(world.users.reseller).post("/api/v1/orders/quote", json={"lines": [{"plan_term_id": "x"}]})

    assert answer.status_code == 422
    assert "lines.0.plan_term_id" in answer.json["detail"]


def test_a_customer_cannot_order_for_another_resellers_customer(world, api_as, buying_reseller):
    lines = order_lines(world, customer_id=world.foreign_customer.id)
    lines[0]["plan_term_id"] = world.customer_plan.terms[0].id

    answer = api_as(world.users.reseller).post("/api/v1/orders/quote", json={"lines": lines})

    assert answer.status_code in (404, 422)
    assert answer.mimetype == "application/problem+json"


def test_answers_older_than_a_day_are_purged_and_their_key_runs_afresh(world, api_as, buying_reseller, handed_off, app):
    from datetime import timedelta

    from app.core.clock import current_now

    api = api_as(world.users.reseller)
    lines = order_lines(world)
    quote = api.post("/api/v1/orders/quote", json={"lines": lines}).json
    body = {"lines": lines, "fingerprint": quote["quote"]["fingerprint"],
            "accepted_terms": [terms["token"] for terms in quote["terms"]]}
    api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "daily"})
    record = db.session.scalar(select(IdempotencyRecord))
    record.created_at = current_now() - timedelta(hours=25)
    db.session.commit()

    output = app.test_cli_runner().invoke(args=["api-purge-idempotency"]).output

    assert output == "1 stored answers deleted.\n"
    assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 0


def _new_customer_lines(world, name: str) -> list[dict]:
    term = next(term for term in world.customer_plan.terms if term.code == "monthly")
    return [{"plan_term_id": term.id, "quantities": {"seats": 6},
             "new_customer": {"name": name, "admin_email": "Boss@Newco.example"}}]


def test_an_order_for_a_new_customer_creates_it_as_the_customers_api_does(world, api_as, buying_reseller, handed_off):
    from app.accounts.activity import ActivityEntry
    from app.accounts.models import Organisation

    api = api_as(world.users.reseller)
    lines = _new_customer_lines(world, "Newco Ltd")
    quote = api.post("/api/v1/orders/quote", json={"lines": lines}).json
    placed = api.post("/api/v1/orders", json={"lines": lines, "fingerprint": quote["quote"]["fingerprint"],
                                              "accepted_terms": [terms["token"] for terms in quote["terms"]]},
                      headers={"Idempotency-Key": "for-newco"})

    assert placed.status_code == 201, placed.json
    newco = db.session.get(Organisation, placed.json["lines"][0]["customer_id"])
    assert (newco.name, newco.parent_id, newco.contact_name, newco.contact_email) == (
        "Newco Ltd", world.reseller.id, "Newco Ltd", "boss@newco.example")
    assert newco.created_at is not None
    assert db.session.scalar(select(ActivityEntry.subject_id).where(ActivityEntry.action == "customer.created")) == newco.id
    got = api.get(f"/api/v1/customers/{newco.id}")
    assert got.status_code == 200 and got.json["name"] == "Newco Ltd"


def test_an_order_for_a_new_customer_named_like_one_of_yours_is_422_and_places_nothing(world, api_as, buying_reseller, handed_off):
    from app.accounts.models import Organisation

    api = api_as(world.users.reseller)
    organisations = db.session.scalar(select(func.count(Organisation.id)))
    lines = _new_customer_lines(world, "CUSTOMER A")

    quote = api.post("/api/v1/orders/quote", json={"lines": lines})
    placed = api.post("/api/v1/orders", json={"lines": lines, "fingerprint": "0" * 64}, headers={"Idempotency-Key": "dup"})

    message = "You already have a customer named CUSTOMER A: order for that customer, or give the new one another name."
    assert (quote.status_code, quote.json["detail"]) == (422, message)
    assert (placed.status_code, placed.json["detail"]) == (422, message)
    assert db.session.scalar(select(func.count(Order.id))) == 0 and handed_off == []
    assert db.session.scalar(select(func.count(Organisation.id))) == organisations

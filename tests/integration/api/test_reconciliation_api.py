"""GET /api/v1/reconciliation: the reseller's month of charges as the panel's export has them,
money in minor units with its currency, times RFC 3339; the panel's CSV with format=csv; a
month out of range is refused with the service's message; only resellers have it.

The history (tests/integration/reconciliation): Customer A buys 8 seats on 1 February 09:00,
raises them to 10 on 11 February 15:00 (prorated 9/14), renewed on 1 March."""
from __future__ import annotations

import csv
import io

from app.api import openapi_document
from tests.integration.api.contract import violations
from tests.integration.checkout.conftest import handed_off, shop  # noqa: F401  (fixtures)
from tests.integration.reconciliation.conftest import at, buy, change_seats, history  # noqa: F401  (fixtures)


def _usd(amount):
    return {"amount": amount, "currency": "USD"}


def test_february_lists_the_new_subscription_and_the_prorated_increase(app, shop, history, api_as):
    answer = api_as(shop.users.reseller, "read").get("/api/v1/reconciliation?year=2026&month=2")

    assert answer.status_code == 200
    assert (answer.json["year"], answer.json["month"]) == (2026, 2)
    rows = answer.json["data"]
    assert [(row["kind"], row["quantity"], row["unit_cost"], row["unit_price"], row["cost_amount"], row["price_amount"],
             row["period_fraction"], row["order"], row["invoice"]) for row in rows] == [
        ("new", 1, _usd(800), _usd(1000), _usd(800), _usd(1000), "", "ORD-2026-000001", "INV-2026-000001"),
        ("new", 3, _usd(200), _usd(300), _usd(600), _usd(900), "", "ORD-2026-000001", "INV-2026-000001"),
        ("proration", 2, _usd(200), _usd(300), _usd(257), _usd(386), "9/14", "ORD-2026-000002", "INV-2026-000002"),
    ]
    assert [row["date"] for row in rows] == ["2026-02-01T09:00:00Z", "2026-02-01T09:00:00Z", "2026-02-11T15:00:00Z"]
    assert {(row["customer_id"], row["customer"], row["subscription_id"], row["period_start"], row["period_end"])
            for row in rows} == {(shop.customer.id, "Customer A", history, "2026-02-01T09:00:00Z", "2026-03-01T09:00:00Z")}
    assert violations(app, openapi_document(), "GET", "/api/v1/reconciliation?year=2026&month=2", answer) == []


def test_the_month_is_paged_by_row_position(app, shop, history, api_as):
    api = api_as(shop.users.reseller, "read")

    first = api.get("/api/v1/reconciliation?year=2026&month=2&limit=2")
    rest = api.get("/api/v1/reconciliation?year=2026&month=2&limit=2&starting_after=2")

    assert ([row["position"] for row in first.json["data"]], first.json["has_more"]) == ([1, 2], True)
    assert ([(row["position"], row["kind"]) for row in rest.json["data"]], rest.json["has_more"]) == ([(3, "proration")], False)
    assert violations(app, openapi_document(), "GET", "/api/v1/reconciliation?year=2026&month=2&limit=2", first) == []


def test_csv_is_the_file_the_panel_downloads(app, client, auth, shop, history, api_as):
    answer = api_as(shop.users.reseller).get("/api/v1/reconciliation?year=2026&month=2&format=csv")
    auth.login("admin@reseller.test")
    panel = client.get("/reseller/reconciliation.csv?month=2026-02")

    assert (answer.status_code, answer.mimetype) == (200, "text/csv")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="reconciliation-2026-02.csv"'
    assert answer.get_data(as_text=True) == panel.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [(row["kind"], row["cost_amount"], row["price_amount"]) for row in rows] == [
        ("new", "8.00", "10.00"), ("new", "6.00", "9.00"), ("proration", "2.57", "3.86")]
    assert violations(app, openapi_document(), "GET", "/api/v1/reconciliation?year=2026&month=2&format=csv", answer) == []


def test_another_reseller_gets_none_of_it(shop, history, api_as):
    answer = api_as(shop.users.other_reseller).get("/api/v1/reconciliation?year=2026&month=2")

    assert (answer.status_code, answer.json["data"]) == (200, [])


def test_a_month_out_of_range_is_refused_with_the_services_message(app, shop, api_as):
    api = api_as(shop.users.reseller)

    for query in ("year=2026&month=13", "year=1999&month=12", "year=2026&month=0", "year=99999999999&month=1"):
        answer = api.get(f"/api/v1/reconciliation?{query}")
        assert (answer.status_code, answer.mimetype) == (422, "application/problem+json"), query
        assert answer.json["detail"] == "Pick a month between January 2000 and December 2100."
    missing = api.get("/api/v1/reconciliation?year=2026")
    assert missing.status_code == 422 and "month" in missing.json["detail"]
    assert api.get("/api/v1/reconciliation?year=2026&month=2&format=xml").status_code == 422
    assert violations(app, openapi_document(), "GET", "/api/v1/reconciliation", missing) == []


def test_a_customer_is_forbidden_with_a_problem(app, shop, api_as):
    answer = api_as(shop.users.customer).get("/api/v1/reconciliation?year=2026&month=2")

    assert (answer.status_code, answer.mimetype) == (403, "application/problem+json")
    assert answer.json["detail"] == "Only resellers have a reconciliation export: ask your distributor to enable reselling."
    assert violations(app, openapi_document(), "GET", "/api/v1/reconciliation?year=2026&month=2", answer) == []

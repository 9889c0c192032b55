"""The reseller's monthly reconciliation CSV: a customer's new subscription, an increase
(prorated) and a renewal (``history``, see conftest.py), at the reseller's cost and the
customer's price, with exact values."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from app.extensions import db
from app.plans.lifecycle import cancel
from app.reconciliation.rows import reconciliation_rows


def _csv(client, month: str) -> list[dict]:
    response = client.get(f"/reseller/reconciliation.csv?month={month}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="reconciliation-{month}.csv"'
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _values(rows, *columns) -> list[tuple]:
    return [tuple(row[column] for column in columns) for row in rows]


def test_february_has_the_new_subscription_and_the_prorated_increase(client, auth, history):
    auth.login("admin@reseller.test")

    rows = _csv(client, "2026-02")

    columns = ("kind", "customer", "subscription_id", "quantity", "currency", "unit_cost", "unit_price", "cost_amount",
               "price_amount", "period_fraction", "period_start", "period_end", "order", "invoice")
    assert _values(rows, *columns) == [
        ("new", "Customer A", str(history), "1", "USD", "8.00", "10.00", "8.00", "10.00", "", "2026-02-01", "2026-03-01",
         "ORD-2026-000001", "INV-2026-000001"),
        ("new", "Customer A", str(history), "3", "USD", "2.00", "3.00", "6.00", "9.00", "", "2026-02-01", "2026-03-01",
         "ORD-2026-000001", "INV-2026-000001"),
        # 2 seats x 18/28 (kept as 9/14) of the period: cost 400 x 18/28 = 257.14 -> 2.57, price 600 x 18/28 = 385.71 -> 3.86
        ("proration", "Customer A", str(history), "2", "USD", "2.00", "3.00", "2.57", "3.86", "9/14", "2026-02-01",
         "2026-03-01", "ORD-2026-000002", "INV-2026-000002"),
    ]
    assert [row["date"] for row in rows] == ["2026-02-01T09:00:00", "2026-02-01T09:00:00", "2026-02-11T15:00:00"]
    assert all(row["plan"] == rows[0]["plan"] and row["term"] for row in rows)


def test_march_has_the_renewal_at_the_ten_seats_held_and_the_cancellation(client, auth, history):
    cancel(history, datetime(2026, 3, 5, 12))
    db.session.commit()
    auth.login("admin@reseller.test")

    rows = _csv(client, "2026-03")

    assert _values(rows, "kind", "quantity", "unit_cost", "unit_price", "cost_amount", "price_amount", "period_start",
                   "period_end", "invoice") == [
        ("renewal", "1", "8.00", "10.00", "8.00", "10.00", "2026-03-01", "2026-04-01", "INV-2026-000003"),
        ("renewal", "5", "2.00", "3.00", "10.00", "15.00", "2026-03-01", "2026-04-01", "INV-2026-000003"),
        # nothing charged: the PSA learns the agreement ends with the period
        ("cancellation", "0", "0.00", "0.00", "0.00", "0.00", "2026-03-01", "2026-04-01", ""),
    ]


def test_another_reseller_sees_none_of_it_and_a_bad_month_is_not_found(client, auth, shop, history):
    assert reconciliation_rows(shop.other_reseller, 2026, 2) == []
    auth.login("admin@other.test")
    assert _csv(client, "2026-02") == []
    for bad in ("2026-13", "2026-2", "1999-12", "abc", "2026-02-01", "²⁰²⁶-02", "٢٠٢٦-٠٢"):
        assert client.get(f"/reseller/reconciliation.csv?month={bad}").status_code == 404


def test_the_page_shows_the_month_and_members_may_read_it(client, auth, history):
    auth.login("member@reseller.test")

    page = client.get("/reseller/reconciliation?month=2026-02")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "February 2026: 3 rows" in text and text.count('data-kind="new"') == 2 and 'data-kind="proration"' in text
    assert 'href="/reseller/reconciliation.csv?month=2026-02"' in text


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(client, auth, shop, history):
    # given a customer whose name starts like a formula
    shop.customer.name = '=HYPERLINK("http://127.0.0.1/","Refund")'
    db.session.commit()
    auth.login("admin@reseller.test")
    # then the CSV leads it with an apostrophe, and amounts (negative ones too) stay numbers
    rows = _csv(client, "2026-02")
    assert {row["customer"] for row in rows} == {'\'=HYPERLINK("http://127.0.0.1/","Refund")'}
    assert [row["cost_amount"] for row in rows] == ["8.00", "6.00", "2.57"]

"""The home page's CSV export: exactly the filtered table, every page, in its order, streamed."""
from __future__ import annotations

import csv
import io
import re

from app.extensions import db
from tests import factories


def _ids(response) -> list[int]:
    return [int(v) for v in re.findall(r'<tr data-subscription="(\d+)"', response.get_data(as_text=True))]


def test_the_csv_is_the_filtered_sorted_table_across_all_pages(client, auth, book):
    world = book.world
    for n in range(40):
        factories.make_subscription(world.second_customer if n % 3 else world.customer, world.customer_plan, payer=world.reseller)
    db.session.commit()
    auth.login("admin@reseller.test")
    query = f"customer={world.second_customer.id}&sort=seats&order=desc"
    shown = _ids(client.get(f"/reseller/?{query}")) + _ids(client.get(f"/reseller/?{query}&page=2"))
    response = client.get(f"/reseller/subscriptions/export.csv?{query}&page=2")  # the page is ignored: every row
    assert response.status_code == 200 and response.mimetype == "text/csv" and response.is_streamed
    assert "attachment; filename=\"customer-subscriptions-2026-02-11.csv\"" == response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Subscription", "Customer", "Plan", "Billing cycle", "Status", "Seats", "Period start", "Period end",
                       "Monthly margin", "Currency"]
    assert [int(row[0]) for row in rows[1:]] == shown and len(shown) == 28  # 26 new + B's annual and canceled
    assert rows[1] == [str(book.b_annual.id), "Customer B", "for-customers", "Annual", "Active", "12", "2026-01-20",
                       "2027-01-20", "9.00", "USD"]
    assert rows[2] == [str(book.canceled.id), "Customer B", "for-customers", "Monthly", "Canceled: ends 01 Mar 2026", "10",
                       "2026-02-01", "2026-03-01", "7.00", "USD"]


def test_the_unfiltered_csv_has_every_live_customer_subscription_and_nothing_else(client, auth, book):
    auth.login("admin@reseller.test")
    rows = list(csv.reader(io.StringIO(client.get("/reseller/subscriptions/export.csv").get_data(as_text=True))))
    ids = {int(row[0]) for row in rows[1:]}
    assert ids == {s.id for s in (book.a_monthly, book.b_annual, book.pending_change, book.canceled, book.solo_sub,
                                  book.provisioning)}
    by_id = {int(row[0]): row for row in rows[1:]}
    assert by_id[book.solo_sub.id][1] == "solo.dev@example.test" and by_id[book.provisioning.id][8] == ""
    assert by_id[book.pending_change.id][4] == "Pending: changes on 01 Mar 2026"


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, auth, book):
    book.world.customer.name = "=HYPERLINK(\"http://127.0.0.1\")"
    db.session.commit()
    auth.login("admin@reseller.test")
    rows = list(csv.reader(io.StringIO(client.get("/reseller/subscriptions/export.csv").get_data(as_text=True))))
    assert {row[1] for row in rows[1:] if row[1].startswith(("'=", "="))} == {"'=HYPERLINK(\"http://127.0.0.1\")"}

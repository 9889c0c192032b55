"""The reconciliation at scale: 2,001 subscriptions with the same history (tests/integration/
reconciliation's ``history``: bought 1 February, raised 11 February, renewed 1 March), so
February has 6,003 rows. A page reads only its rows, in as many statements as for one
subscription; the CSV streams every row in batches, identical to the whole month's list."""
from __future__ import annotations

import csv
import io
import math

import pytest
from sqlalchemy import event

from app.accounts.models import Organisation
from app.extensions import db
from app.reconciliation.rows import csv_chunks, reconciliation_page, reconciliation_rows
from tests.integration.api.conftest import api_as, api_key  # noqa: F401  (fixtures)
from tests.integration.checkout.conftest import handed_off, shop  # noqa: F401  (fixtures)
from tests.integration.reconciliation.scale import multiply_history

COPIES = 2000
FEBRUARY_ROWS = 3 * (COPIES + 1)  # two items bought, one prorated increase, per subscription


@pytest.fixture
def loaded_objects():
    """``with loaded_objects() as loaded: ...`` then ``len(loaded)``: ORM objects read from the database."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        loaded = []

        def count(session, instance):
            loaded.append(instance)

        event.listen(db.session, "loaded_as_persistent", count)
        try:
            yield loaded
        finally:
            event.remove(db.session, "loaded_as_persistent", count)

    return counting


def _page(shop, count_queries, loaded_objects, **arguments):
    reseller_id = shop.reseller.id
    db.session.expunge_all()  # nothing read before counts as read already
    reseller = db.session.get(Organisation, reseller_id)
    with count_queries() as counter, loaded_objects() as loaded:
        page = reconciliation_page(reseller, 2026, 2, **arguments)
    return page, counter.count, len(loaded)


def test_a_page_of_twenty_reads_its_rows_only_in_the_same_statements_as_for_one_subscription(shop, history, count_queries,
                                                                                              loaded_objects):
    small, small_statements, small_loaded = _page(shop, count_queries, loaded_objects, limit=20, with_total=True)
    multiply_history(history, COPIES)
    reseller_id = shop.reseller.id

    page, statements, loaded = _page(shop, count_queries, loaded_objects, limit=20, with_total=True)

    assert (small.total, page.total, page.has_more, len(page.rows)) == (3, FEBRUARY_ROWS, True, 20)
    # the keys, the count, the items (with both tiers), their subscriptions, the invoices
    assert statements == small_statements == 5
    # at most one subscription (with its owner, plan and term) per row, nothing of the other 5,983 rows
    assert small_loaded <= loaded <= 20 * 4 + 1
    assert page.rows == reconciliation_rows(db.session.get(Organisation, reseller_id), 2026, 2)[:20]


def test_the_last_page_and_a_page_in_the_middle_are_the_months_rows_at_their_positions(shop, history, count_queries,
                                                                                       loaded_objects):
    multiply_history(history, COPIES)
    reseller_id = shop.reseller.id

    middle, statements, _ = _page(shop, count_queries, loaded_objects, offset=3000, limit=100)
    reseller = db.session.get(Organisation, reseller_id)
    last = reconciliation_page(reseller, 2026, 2, offset=FEBRUARY_ROWS - 5, limit=100)
    every = reconciliation_rows(reseller, 2026, 2)

    assert len(every) == FEBRUARY_ROWS
    assert (middle.rows, middle.has_more, middle.total, statements) == (every[3000:3100], True, None, 4)
    assert (last.rows, last.has_more) == (every[-5:], False)
    assert [row.date for row in every] == sorted(row.date for row in every)
    assert [(row.date, row.subscription_id, row.kind) for row in every] == sorted(
        (row.date, row.subscription_id, row.kind) for row in every)


def test_the_api_pages_the_large_month_in_as_many_statements_as_a_small_one(shop, history, api_as, count_queries):
    api = api_as(shop.users.reseller, "read")
    api.get("/api/v1/reconciliation?year=2026&month=2&limit=2")  # the key's first use writes its first-used time
    db.session.expire_all()  # each count starts from the same state (multiply_history commits)
    with count_queries() as small:
        assert len(api.get("/api/v1/reconciliation?year=2026&month=2&limit=2").json["data"]) == 2
    multiply_history(history, COPIES)

    db.session.expire_all()
    with count_queries() as large:
        first = api.get("/api/v1/reconciliation?year=2026&month=2&limit=2")
    last = api.get(f"/api/v1/reconciliation?year=2026&month=2&limit=100&starting_after={FEBRUARY_ROWS - 1}")

    assert large.count == small.count
    assert ([row["position"] for row in first.json["data"]], first.json["has_more"]) == ([1, 2], True)
    assert ([row["position"] for row in last.json["data"]], last.json["has_more"]) == ([FEBRUARY_ROWS], False)


def test_the_csv_streams_the_whole_month_in_batches(client, auth, shop, history, count_queries):
    multiply_history(history, COPIES)
    auth.login("admin@reseller.test")
    expected = "".join(csv_chunks(reconciliation_rows(db.session.get(Organisation, shop.reseller.id), 2026, 2)))

    with count_queries() as counter:
        response = client.get("/reseller/reconciliation.csv?month=2026-02")
        body = response.get_data(as_text=True)

    assert body == expected
    assert len(list(csv.DictReader(io.StringIO(body)))) == FEBRUARY_ROWS
    # the request's own statements (the signed-in user and its checks), the keys' cursor, then
    # per batch of 1,000 rows its items, subscriptions, buyers, invoices and resources
    assert counter.count <= 6 + 1 + 5 * math.ceil(FEBRUARY_ROWS / 1000)

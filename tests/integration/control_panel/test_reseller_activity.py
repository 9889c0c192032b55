"""The reseller panel's activity log through HTTP: its own log only, filtered in the query by
action, actor, days and text with the filter kept in the URL, refused filters said and ignored,
paged, exported to CSV (every page of the filtered log, formulas neutralised), read by members,
and at a constant number of queries whatever the log's size."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timedelta

from app.accounts.activity import record_activity
from app.extensions import db

START = datetime(2026, 3, 1, 9, 0)


def _plain(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _actions(response) -> list[str]:
    return re.findall(r'data-activity="([^"]+)"', response.get_data(as_text=True))


def _log(world):
    """Ten days of the reseller's log, one entry a day, and entries of other organisations."""
    users = world.users
    plan = [("order.placed", users.reseller, "Order ORD-2026-000001 placed: Sync Tool"),
            ("subscription.changed", users.reseller, "Customer A: Resource limits of Sync Tool changed: Seats 5 -> 8"),
            ("subscription.canceled", users.reseller_member, "Customer B: Sync Tool cancelled: it ends at period end"),
            ("price.changed", users.reseller, "Customer price of Sync Tool monthly: $12.00 (was $10.00)"),
            ("invitation.sent", None, "Invitation as administrator sent to boss@newco.example (Sync Tool)"),
            ("support.started", users.reseller, "Support session opened in Customer A's panel by Reseller One"),
            ("subscription.resumed", users.reseller, "Customer B: Sync Tool resumed: it renews as normal"),
            ("order.placed", users.reseller, "Order ORD-2026-000002 placed: 50% off_promo"),
            ("subscription.canceled", users.reseller, "=HYPERLINK(\"http://127.0.0.1/\") cancelled"),
            ("support.ended", users.reseller, "Support session in Customer A's panel ended")]
    for day, (action, actor, summary) in enumerate(plan):
        record_activity(world.reseller.id, action, summary, actor=actor, now=START + timedelta(days=day))
    record_activity(world.other_reseller.id, "order.placed", "Order of another reseller", actor=users.other_reseller, now=START)
    record_activity(world.customer.id, "order.placed", "Customer A's own order", actor=users.customer, now=START)
    db.session.commit()


def test_the_reseller_reads_its_own_log_newest_first(client, auth, world):
    _log(world)
    auth.login("admin@reseller.test")
    page = client.get("/reseller/activity")
    assert page.status_code == 200
    assert _actions(page)[:2] == ["support.ended", "subscription.canceled"] and len(_actions(page)) == 10
    text = _plain(page)
    assert "Order of another reseller" not in text and "Customer A's own order" not in text
    assert "member@reseller.test" in text and "System" in text and "10 entries" in text


def test_filters_by_action_actor_days_and_text_apply_in_the_query_and_stay_in_the_url(client, auth, world):
    _log(world)
    auth.login("admin@reseller.test")
    assert _actions(client.get("/reseller/activity?action=subscription.canceled")) == ["subscription.canceled"] * 2
    member = world.users.reseller_member.id
    assert _actions(client.get(f"/reseller/activity?actor={member}")) == ["subscription.canceled"]
    assert _actions(client.get("/reseller/activity?actor=0")) == ["invitation.sent"]
    assert _actions(client.get("/reseller/activity?from=2026-03-03&to=2026-03-04")) == ["price.changed", "subscription.canceled"]
    assert _actions(client.get("/reseller/activity?q=customer%20b")) == ["subscription.resumed", "subscription.canceled"]
    # LIKE's wildcards are searched as text
    assert _actions(client.get("/reseller/activity?q=50%25")) == ["order.placed"]
    assert _actions(client.get("/reseller/activity?q=f_p")) == ["order.placed"]
    assert _actions(client.get("/reseller/activity?q=x_x")) == []
    both = client.get("/reseller/activity?action=subscription.canceled&from=2026-03-09")
    assert _actions(both) == ["subscription.canceled"]
    body = both.get_data(as_text=True)
    assert 'href="/reseller/activity.csv?action=subscription.canceled&amp;from=2026-03-09"' in body
    assert 'value="2026-03-09"' in body and '<option value="subscription.canceled" selected>' in body


def test_refused_filters_are_said_and_ignored(client, auth, world):
    _log(world)
    auth.login("admin@reseller.test")
    for query, message in (("action=drop.table", "There is no such action"), ("actor=abc", "There is no such user"),
                           ("from=2026-13-01", "From: enter a date as YYYY-MM-DD"), ("to=yesterday", "To: enter a date"),
                           ("from=2026-03-05&to=2026-03-01", "The range ends before it starts"),
                           ("q=" + "x" * 101, "Search for at most 100 characters"), ("from=0001-01-01", "From: enter a date")):
        response = client.get(f"/reseller/activity?{query}")
        assert response.status_code == 200 and message in _plain(response), query
        assert len(_actions(response)) == 10, query
    assert _actions(client.get("/reseller/activity?actor=999999")) == []


def test_the_log_is_paged_with_the_filter_kept(client, auth, world):
    for minute in range(30):
        record_activity(world.reseller.id, "order.placed", f"Order {minute}", actor=world.users.reseller,
                        now=START + timedelta(minutes=minute))
    db.session.commit()
    auth.login("admin@reseller.test")
    first = client.get("/reseller/activity?action=order.placed")
    second = client.get("/reseller/activity?action=order.placed&page=2")
    assert (len(_actions(first)), len(_actions(second))) == (25, 5)
    assert 'href="/reseller/activity?page=2&amp;action=order.placed"' in first.get_data(as_text=True)
    assert client.get("/reseller/activity?page=x").status_code == 200


def test_the_csv_export_streams_every_page_of_the_filtered_log(client, auth, world):
    _log(world)
    for minute in range(30):
        record_activity(world.reseller.id, "order.placed", f"Bulk order {minute}", actor=world.users.reseller,
                        now=START + timedelta(days=20, minutes=minute))
    db.session.commit()
    auth.login("admin@reseller.test")
    response = client.get("/reseller/activity.csv?action=order.placed")
    assert response.status_code == 200 and response.mimetype == "text/csv" and response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="activity-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["When (UTC)", "Action", "Actor", "On behalf, from", "Summary", "Subject", "Subject id"]
    assert len(rows) == 1 + 32 and {row[1] for row in rows[1:]} == {"Order placed"}
    assert rows[1] == ["2026-03-21 09:29:00", "Order placed", "admin@reseller.test", "", "Bulk order 29", "", ""]
    everything = list(csv.reader(io.StringIO(client.get("/reseller/activity.csv").get_data(as_text=True).lstrip("\ufeff"))))
    formula = next(row for row in everything if "HYPERLINK" in row[4])
    assert formula[4].startswith("'=") and len(everything) == 1 + 40
    assert "another reseller" not in str(everything)


def test_a_member_reads_and_exports_and_another_reseller_sees_only_its_own(client, auth, world):
    _log(world)
    auth.login("member@reseller.test")
    assert len(_actions(client.get("/reseller/activity"))) == 10
    assert client.get("/reseller/activity.csv").status_code == 200
    auth.logout()
    auth.login("admin@other.test")
    assert _actions(client.get("/reseller/activity")) == ["order.placed"]
    assert "Reseller One" not in client.get("/reseller/activity.csv").get_data(as_text=True)


def test_the_page_makes_the_same_few_queries_whatever_the_logs_size(client, auth, world, count_queries):
    auth.login("admin@reseller.test")
    record_activity(world.reseller.id, "order.placed", "one", actor=world.users.reseller, now=START)
    db.session.commit()
    client.get("/reseller/activity")
    with count_queries() as small:
        client.get("/reseller/activity")
    for minute in range(60):
        record_activity(world.reseller.id, "subscription.changed", f"change {minute}",
                        actor=world.users.reseller if minute % 2 else world.users.reseller_member, now=START)
    db.session.commit()
    with count_queries() as large:
        client.get("/reseller/activity?q=change")
    assert large.count == small.count and large.count <= 8


def test_the_customer_panel_shares_the_page_and_its_export_with_its_own_log_only(client, auth, world):
    _log(world)
    auth.login("admin@customer-a.test")
    page = client.get("/customer/activity?q=own")
    assert _actions(page) == ["order.placed"] and "Customer A's own order" in _plain(page)
    rows = list(csv.reader(io.StringIO(client.get("/customer/activity.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[4] for row in rows[1:]] == ["Customer A's own order"]

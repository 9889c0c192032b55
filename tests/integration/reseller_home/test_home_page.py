"""The reseller panel's home through HTTP: the cards, the table (each column's sort, each filter,
pages keeping their state), the actions menu, the chart, tenant isolation and the query budget."""
from __future__ import annotations

import html
import re
from datetime import datetime

import pytest

from app.extensions import db
from app.plans.models import BillingPeriod
from tests import factories


def ids_in(response) -> list[int]:
    return [int(value) for value in re.findall(r'<tr data-subscription="(\d+)"', response.get_data(as_text=True))]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _row(text: str, subscription_id: int) -> str:
    match = re.search(rf'<tr data-subscription="{subscription_id}">(.*?)</tr>', text, re.S)
    assert match, subscription_id
    return match.group(1)


def _period(row: str) -> str:
    cell = re.search(r"<td class=\"small\" data-period>(.*?)</td>", row, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_the_cards_count_the_customers_live_subscriptions_and_their_seats(client, auth, book):
    auth.login("admin@reseller.test")
    text = text_of(client.get("/reseller/"))
    cards = dict(re.findall(r'data-count="(\w+)">([\d,]+)<', text))
    # six live subscriptions of its customers; four active (the scheduled decrease's included);
    # seats 8 + 12 + 6 + 10 + 1 + 7: the expired 40, its own 9 and the other reseller's 20 are not counted
    assert cards == {"total": "6", "active": "4", "canceled": "1", "seats": "44"}


def test_the_table_shows_customer_plan_status_seats_period_and_monthly_margin(client, auth, book):
    auth.login("admin@reseller.test")
    page = client.get("/reseller/")
    text = text_of(page)
    assert page.status_code == 200
    assert ids_in(page) == [s.id for s in (book.provisioning, book.solo_sub, book.canceled, book.pending_change,
                                           book.b_annual, book.a_monthly)]  # newest first
    a = _row(text, book.a_monthly.id)
    assert "Customer A" in a and "for-customers" in a and "Monthly" in a and 'data-status="active">Active<' in a
    assert "<td class=\"text-end\" data-seats>8</td>" in a and _period(a) == "01 Feb 2026 – 01 Mar 2026" and "$5.00" in a
    b = _row(text, book.b_annual.id)
    assert "Annual" in b and "$9.00" in b and _period(b) == "20 Jan 2026 – 20 Jan 2027"  # 10,800 a year: 900 a month
    assert 'data-status="change_scheduled">Pending: changes on 01 Mar 2026<' in _row(text, book.pending_change.id)
    assert 'data-status="canceled">Canceled: ends 01 Mar 2026<' in _row(text, book.canceled.id)
    solo = _row(text, book.solo_sub.id)
    assert "solo.dev@example.test" in solo and "Single user" in solo and "Solo Account" not in solo and "$4.00" in solo
    provisioning = _row(text, book.provisioning.id)
    assert 'data-status="pending">Provisioning<' in provisioning and "Not started" in provisioning and "$" not in provisioning
    for hidden in (book.expired, book.own, book.foreign):
        assert f'data-subscription="{hidden.id}"' not in text
    assert "Customer Z" not in text


# Seats and margins are sorted by each row's sub-query for a narrow table and by one grouped pass
# over a wide one (``ROW_SORT_LIMIT``): both ways give the same order.
@pytest.mark.parametrize("row_sort_limit", [5000, 0], ids=["per-row sub-queries", "one grouped pass"])
def test_each_column_sorts_both_ways_in_the_query(client, auth, book, monkeypatch, row_sort_limit):
    from app.control_panel.reseller import overview

    monkeypatch.setattr(overview, "ROW_SORT_LIMIT", row_sort_limit)
    b = book
    auth.login("admin@reseller.test")
    expected = {
        "customer": [b.a_monthly, b.pending_change, b.provisioning, b.b_annual, b.canceled, b.solo_sub],
        "plan": [b.b_annual, b.a_monthly, b.pending_change, b.canceled, b.provisioning, b.solo_sub],  # Annual before Monthly
        "status": [b.a_monthly, b.b_annual, b.solo_sub, b.canceled, b.pending_change, b.provisioning],  # active, canceled, change..., pending
        "seats": [b.solo_sub, b.pending_change, b.provisioning, b.a_monthly, b.canceled, b.b_annual],
        "period": [b.a_monthly, b.pending_change, b.canceled, b.solo_sub, b.b_annual, b.provisioning],  # not started: last
        "margin": [b.pending_change, b.solo_sub, b.a_monthly, b.canceled, b.b_annual, b.provisioning],  # 3, 4, 5, 7, 9, none
    }
    for column, order in expected.items():
        assert ids_in(client.get(f"/reseller/?sort={column}")) == [s.id for s in order], column
    assert ids_in(client.get("/reseller/?sort=customer&order=desc")) == [
        s.id for s in (b.solo_sub, b.canceled, b.b_annual, b.provisioning, b.pending_change, b.a_monthly)]
    assert ids_in(client.get("/reseller/?sort=margin&order=desc")) == [
        s.id for s in (b.b_annual, b.canceled, b.a_monthly, b.solo_sub, b.pending_change, b.provisioning)]  # none stays last
    heading = text_of(client.get("/reseller/?sort=seats&status=active"))
    assert 'aria-sort="ascending"' in heading and 'href="/reseller/?status=active&sort=seats&order=desc"' in heading


def test_each_filter_narrows_the_table_and_the_form_keeps_it(client, auth, book):
    b, world = book, book.world
    auth.login("admin@reseller.test")
    cases = {
        "status=active": [b.solo_sub, b.b_annual, b.a_monthly],
        "status=change_scheduled": [b.pending_change],
        "status=canceled": [b.canceled],
        "status=pending": [b.provisioning],
        "status=suspended": [],
        f"plan={b.single_plan.id}": [b.solo_sub],
        f"customer={world.second_customer.id}": [b.canceled, b.b_annual],
        "q=SOLO.dev": [b.solo_sub],
        "q=customer+b": [b.canceled, b.b_annual],
        "q=%25": [],  # a literal "%", not a wildcard
        f"status=active&customer={world.customer.id}": [b.a_monthly],
    }
    for query, rows in cases.items():
        assert ids_in(client.get(f"/reseller/?{query}")) == [s.id for s in rows], query
    text = text_of(client.get(f"/reseller/?status=canceled&plan={world.customer_plan.id}&q=cust"))
    assert '<option value="canceled" selected>' in text and f'name="plan" value="{world.customer_plan.id}"' in text
    assert "Plan: <strong>for-customers</strong>" in text
    assert 'value="cust"' in text and "1 subscription match the filters" in text
    customer = text_of(client.get(f"/reseller/?customer={world.second_customer.id}"))
    assert "Customer: <strong>Customer B</strong>" in customer


def test_bad_filter_values_show_the_whole_table_and_another_resellers_customer_is_not_found(client, auth, book):
    auth.login("admin@reseller.test")
    for query in ("status=expired", "status=<b>", "sort=password", "page=abc", "page=-1", "plan=x", "customer=0", "page=99999999999"):
        response = client.get(f"/reseller/?{query}")
        assert response.status_code == 200 and len(ids_in(response)) == 6, query
    foreign = book.world.foreign_customer.id
    assert client.get(f"/reseller/?customer={foreign}").status_code == 404
    assert client.get(f"/reseller/subscriptions/export.csv?customer={foreign}").status_code == 404
    auth.logout()
    auth.login("admin@other.test")  # Reseller Two sees only its customer's subscription
    response = client.get("/reseller/")
    assert ids_in(response) == [book.foreign.id] and "Customer A" not in text_of(response)
    assert client.get(f"/reseller/?customer={book.world.customer.id}").status_code == 404


def test_pages_keep_the_filters_and_sort_and_a_page_past_the_end_shows_the_last(client, auth, book):
    world = book.world
    for _ in range(30):
        factories.make_subscription(world.second_customer, world.customer_plan, payer=world.reseller)
    db.session.commit()
    auth.login("admin@reseller.test")
    first = client.get(f"/reseller/?customer={world.second_customer.id}&sort=period&order=desc")
    text = first.get_data(as_text=True)
    assert len(ids_in(first)) == 25 and "32 subscriptions match the filters; page 1 of 2" in text_of(first)
    next_link = f'href="/reseller/?page=2&amp;customer={world.second_customer.id}&amp;sort=period&amp;order=desc"'
    assert next_link in text
    second = client.get(f"/reseller/?customer={world.second_customer.id}&sort=period&order=desc&page=2")
    assert len(ids_in(second)) == 7 and not set(ids_in(first)) & set(ids_in(second))
    assert ids_in(client.get(f"/reseller/?customer={world.second_customer.id}&sort=period&order=desc&page=9")) == ids_in(second)


def test_admins_get_an_actions_menu_per_row_and_members_see_no_buttons(client, auth, book):
    b = book
    auth.login("admin@reseller.test")
    text = text_of(client.get("/reseller/"))
    active = _row(text, b.a_monthly.id)
    assert f'href="/reseller/subscriptions/{b.a_monthly.id}/change" data-action="change"' in active
    assert f'href="/reseller/subscriptions/{b.a_monthly.id}/cancel" data-action="cancel"' in active
    assert 'data-action="resume"' not in active and 'aria-expanded="false"' in active
    canceled = _row(text, b.canceled.id)
    assert f'action="/reseller/subscriptions/{b.canceled.id}/resume"' in canceled and 'name="csrf_token"' in canceled
    assert 'data-action="change"' not in canceled and 'data-action="cancel"' not in canceled
    assert "data-actions" not in _row(text, b.provisioning.id)
    auth.logout()
    auth.login("member@reseller.test")
    member = client.get("/reseller/")
    assert member.status_code == 200 and len(ids_in(member)) == 6
    assert "data-actions" not in member.get_data(as_text=True) and "data-action=" not in member.get_data(as_text=True)
    assert client.get("/reseller/subscriptions/export.csv").status_code == 200  # reading is allowed


def test_the_chart_shows_twelve_months_of_billed_revenue_cost_and_margin(client, auth, book):
    b = book

    def billed(subscription, start, customer, reseller, currency="USD"):
        db.session.add(BillingPeriod(subscription_id=subscription.id, period_start=start, period_end=start, kind="advance",
                                     status="invoiced", currency=currency, customer_amount=customer,
                                     reseller_amount=reseller, created_at=start))

    billed(b.a_monthly, datetime(2026, 1, 1, 9), 1300, 900)
    billed(b.canceled, datetime(2026, 1, 15, 9), 1000, 800)
    billed(b.expired, datetime(2025, 12, 1, 9), 2000, 1500)  # expired now, but billed then: counted
    billed(b.a_monthly, datetime(2025, 2, 1, 9), 5000, 1)  # thirteen months ago: outside
    billed(b.foreign, datetime(2026, 1, 1, 9), 7000, 1)  # another reseller's
    billed(b.own, datetime(2026, 1, 1, 9), 7000, 1)  # its own subscription: not customer revenue
    db.session.commit()
    auth.login("admin@reseller.test")
    text = text_of(client.get("/reseller/"))
    months = re.findall(r'<tr data-month="([\d-]+)">', text)
    assert months[0] == "2025-03" and months[-1] == "2026-02" and len(months) == 12
    january = re.search(r'data-month="2026-01">(.*?)</tr>', text, re.S).group(1)
    assert re.findall(r'data-amount="\w+">([^<]+)<', january) == ["$23.00", "$17.00", "$6.00"]
    december = re.search(r'data-month="2025-12">(.*?)</tr>', text, re.S).group(1)
    assert re.findall(r'data-amount="\w+">([^<]+)<', december) == ["$20.00", "$15.00", "$5.00"]
    assert '<svg viewBox="0 0 720 260"' in text and "<title id=\"chart-usd-title\">" in text
    assert text.count("<rect data-bar=") == 24 and "revenue $43.00, cost $32.00, margin $11.00" in text


def test_without_billing_the_chart_says_so(client, auth, book):
    auth.login("admin@reseller.test")
    text = text_of(client.get("/reseller/"))
    assert "data-chart-empty" in text and "<svg" not in text


def test_the_home_page_makes_at_most_ten_queries_whatever_the_page_sort_or_filter(client, auth, book, count_queries):
    world = book.world
    for n in range(40):
        factories.make_subscription(world.customer if n % 2 else world.second_customer, world.customer_plan, payer=world.reseller)
    db.session.commit()
    auth.login("admin@reseller.test")
    client.get("/reseller/")  # warm: the session's user
    urls = ["/reseller/", "/reseller/?page=2", "/reseller/?sort=margin&order=desc", "/reseller/?sort=customer&page=2",
            f"/reseller/?status=active&plan={world.customer_plan.id}&q=customer&customer={world.customer.id}&sort=seats",
            "/reseller/?status=change_scheduled&sort=status"]
    for url in urls:
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        assert counter.count <= 10, (url, counter.count, counter.statements)


def test_the_chart_is_kept_in_redis_until_a_period_is_billed(app, client, auth, book, monkeypatch, count_queries):
    from app.queue import redis_connection

    redis = redis_connection()
    for key in redis.scan_iter("reseller-chart:*"):
        redis.delete(key)
    monkeypatch.setitem(app.config, "RESELLER_CHART_CACHE_SECONDS", 60)
    period = BillingPeriod(subscription_id=book.a_monthly.id, period_start=datetime(2026, 1, 1, 9), period_end=datetime(2026, 2, 1, 9),
                           kind="advance", status="invoiced", currency="USD", customer_amount=1300, reseller_amount=900,
                           created_at=datetime(2026, 1, 1, 9))
    db.session.add(period)
    db.session.commit()
    auth.login("admin@reseller.test")

    def january() -> list[str]:
        text = text_of(client.get("/reseller/"))
        return re.findall(r'data-amount="\w+">([^<]+)<', re.search(r'data-month="2026-01">(.*?)</tr>', text, re.S).group(1))

    assert january() == ["$13.00", "$9.00", "$4.00"]
    period.customer_amount = 9900  # not a new period: the kept chart is shown
    db.session.commit()
    with count_queries() as counter:
        assert january() == ["$13.00", "$9.00", "$4.00"]
    assert not any("billing_period.currency" in statement for statement in counter.statements)
    db.session.add(BillingPeriod(subscription_id=book.b_annual.id, period_start=datetime(2026, 1, 20, 9),
                                 period_end=datetime(2027, 1, 20, 9), kind="advance", status="invoiced", currency="USD",
                                 customer_amount=100, reseller_amount=50, created_at=datetime(2026, 1, 20, 9)))
    db.session.commit()
    assert january() == ["$100.00", "$9.50", "$90.50"]  # a new period: read again


def test_the_cards_are_kept_in_redis_and_any_committed_subscription_change_shows_at_once(app, client, auth, book, monkeypatch,
                                                                                        count_queries):
    from sqlalchemy import update

    from app.plans.models import Subscription, SubscriptionResource
    from app.queue import redis_connection

    redis = redis_connection()
    for key in redis.scan_iter("reseller-summary:*"):
        redis.delete(key)
    monkeypatch.setitem(app.config, "RESELLER_SUMMARY_CACHE_SECONDS", 60)
    auth.login("admin@reseller.test")

    def cards() -> dict:
        return dict(re.findall(r'data-count="(\w+)">([\d,]+)<', text_of(client.get("/reseller/?sort=plan"))))

    first = cards()
    assert first == {"total": "6", "active": "4", "canceled": "1", "seats": "44"}
    with count_queries() as counter:
        assert cards() == first
    aggregates = [s for s in counter.statements if "count(subscription.id)" in s]
    assert aggregates == []
    # On the tests' fixed clock a change leaves ``updated_at`` where it was: the version still moves.
    seats = db.session.scalar(db.select(SubscriptionResource).where(SubscriptionResource.subscription_id == book.a_monthly.id))
    seats.quantity += 5
    db.session.commit()
    assert cards()["seats"] == "49"
    db.session.execute(update(Subscription).where(Subscription.id == book.b_annual.id).values(status="canceled"))
    db.session.commit()
    assert cards() == {"total": "6", "active": "3", "canceled": "2", "seats": "49"}

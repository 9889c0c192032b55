"""The reseller home's chart counts every charge of its customers' subscriptions in the month it
was billed: a subscription's first period (its purchase order), a proration, a renewal; and a
new order or proration shows on the very next view, while the chart is kept in Redis."""
from __future__ import annotations

import html
import re
from datetime import datetime

from app.extensions import db
from tests.integration.checkout.conftest import handed_off, shop  # noqa: F401  (fixtures)
from tests.integration.reconciliation.conftest import (  # noqa: F401  (fixtures)
    FEB_1,
    FEB_11,
    at,
    buy,
    change_seats,
    history,
)

MAR_5 = datetime(2026, 3, 5, 9)


def _month(client, month: str) -> list[str]:
    """The month's revenue, cost and margin as the chart's table lists them."""
    text = html.unescape(client.get("/reseller/").get_data(as_text=True))
    row = re.search(rf'data-month="{month}">(.*?)</tr>', text, re.S)
    return re.findall(r'data-amount="\w+">([^<]+)<', row.group(1)) if row else []


def test_a_subscription_bought_this_month_shows_in_this_months_bars(client, auth, shop, handed_off, buy):
    # when Customer A buys 8 seats on 1 February (1,000 + 3 x 300 at the MSRP; the reseller's cost 800 + 3 x 200)
    buy(FEB_1)
    auth.login("admin@reseller.test")

    # then February's bars show it
    assert _month(client, "2026-02") == ["$19.00", "$14.00", "$5.00"]


def test_a_proration_shows_in_its_month_and_the_renewal_in_the_next(client, auth, shop, history, at):
    at(MAR_5)
    auth.login("admin@reseller.test")

    # February: the purchase and 2 seats x 18/28 of the period (300 -> 385.71, 200 -> 257.14)
    assert _month(client, "2026-02") == ["$22.86", "$16.57", "$6.29"]
    # March: the renewal at ten seats (1,000 + 5 x 300; 800 + 5 x 200)
    assert _month(client, "2026-03") == ["$25.00", "$18.00", "$7.00"]


def test_a_new_order_and_a_proration_show_on_the_very_next_view_while_the_chart_is_kept(app, client, auth, shop, handed_off,
                                                                                       buy, change_seats, monkeypatch):
    from app.queue import redis_connection

    redis = redis_connection()
    for key in redis.scan_iter("reseller-chart:*"):
        redis.delete(key)
    monkeypatch.setitem(app.config, "RESELLER_CHART_CACHE_SECONDS", 60)
    subscription_id = buy(FEB_1)
    auth.login("admin@reseller.test")
    assert _month(client, "2026-02") == ["$19.00", "$14.00", "$5.00"]

    # a new order: the next view shows it
    buy(datetime(2026, 2, 3, 9), seats=5)
    assert _month(client, "2026-02") == ["$29.00", "$22.00", "$7.00"]
    # a proration: the next view shows it
    change_seats(subscription_id, 10, FEB_11)
    db.session.commit()
    assert _month(client, "2026-02") == ["$32.86", "$24.57", "$8.29"]

"""The change page's price preview seen by the customer's reseller: the customer's price and the
reseller's cost side by side, the credit from the current subscription and the effective date;
the customer and a reseller changing its own subscription see only what they pay. A decrease
confirmed there shows as pending, with its date, in the home page's table."""
from __future__ import annotations

import re
from datetime import datetime

from tests.integration.subscriptions.conftest import FEB_1, confirm, hidden, review, text_of


def _impact(text: str, row: str) -> dict[str, str]:
    match = re.search(rf'<tr data-impact-row="{row}"[^>]*>(.*?)</tr>', text, re.S)
    assert match, row
    return dict(re.findall(r'data-impact="(\w+)">([^<]+)<', match.group(1)))


def test_the_reseller_sees_its_customers_price_and_its_cost_side_by_side_with_the_credit(client, auth, world, subscribe, clock):
    subscription = subscribe(FEB_1, seats=8)  # Customer A, MSRP 300 a seat, cost 200; 18 of 28 days left
    auth.login("admin@reseller.test")
    page = review(client, subscription.id, panel="reseller", seats=10)
    text = text_of(page)
    assert page.status_code == 200
    assert re.findall(r'data-tier="(\w+)">([^<]+)<', text) == [("customer", "Customer's price"), ("cost", "Your cost"),
                                                                 ("margin", "Your margin")]
    # 5 billable seats x 300 x 18/28 = 964.29 -> $9.64; the 3 already paid: 9.64 - 3.86 = $5.78
    assert _impact(text, "rest") == {"customer": "$9.64", "cost": "$6.43", "margin": "$3.21"}
    assert _impact(text, "credit") == {"customer": "-$5.78", "cost": "-$3.86", "margin": "-$1.92"}
    assert _impact(text, "now") == {"customer": "$3.86", "cost": "$2.57", "margin": "$1.29"}
    assert _impact(text, "before") == {"customer": "$19.00", "cost": "$14.00", "margin": "$5.00"}
    assert _impact(text, "after") == {"customer": "$25.00", "cost": "$18.00", "margin": "$7.00"}
    assert "Takes effect now." in text and "Per month today" in text


def test_a_decrease_shows_its_effective_date_and_then_pending_in_the_home_table(client, auth, world, subscribe, clock):
    subscription = subscribe(FEB_1, seats=8)
    auth.login("admin@reseller.test")
    page = review(client, subscription.id, panel="reseller", seats=6)
    text = text_of(page)
    assert _impact(text, "now") == {"customer": "$0.00", "cost": "$0.00", "margin": "$0.00"}
    assert _impact(text, "after") == {"customer": "$13.00", "cost": "$10.00", "margin": "$3.00"}
    assert "Takes effect on 01 March 2026, the start of the next period" in text
    done = confirm(client, subscription.id, hidden(page.get_data(as_text=True), "fingerprint"), panel="reseller", seats=6)
    assert done.status_code == 302
    home = text_of(client.get("/reseller/?status=change_scheduled"))
    assert f'<tr data-subscription="{subscription.id}">' in home
    assert 'data-status="change_scheduled">Pending: changes on 01 Mar 2026<' in home


def test_the_customer_sees_only_its_price_and_the_reseller_its_cost_on_its_own_subscription(client, auth, world, subscribe, clock):
    customers = subscribe(FEB_1, seats=8)
    own = subscribe(FEB_1, seats=8, plan=world.reseller_plan, owner=world.reseller)
    auth.login("admin@customer-a.test")
    text = text_of(review(client, customers.id, seats=10))
    assert re.findall(r'data-tier="(\w+)">([^<]+)<', text) == [("customer", "You pay")]
    assert _impact(text, "now") == {"customer": "$3.86"} and "Your cost" not in text and "$2.57" not in text
    auth.logout()
    auth.login("admin@reseller.test")
    text = text_of(review(client, own.id, panel="reseller", seats=10))
    assert re.findall(r'data-tier="(\w+)">([^<]+)<', text) == [("cost", "You pay")]
    assert _impact(text, "now") == {"cost": "$2.57"} and "Customer's price" not in text and "Customer pays" not in text
    assert _impact(text, "before") == {"cost": "$22.00"}  # the reseller plan: 1600 + 3 seats x 200


def test_another_reseller_cannot_open_the_change_page(client, auth, world, subscribe, clock):
    subscription = subscribe(FEB_1, seats=8)
    auth.login("admin@other.test")
    assert client.get(f"/reseller/subscriptions/{subscription.id}/change").status_code == 404
    assert review(client, subscription.id, panel="reseller", seats=10).status_code == 404

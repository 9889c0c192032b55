"""The customer panel's subscriptions (issue 12, items 3 and 4): the list paginated in the URL
with a bounded number of queries, the detail with amounts, scheduled changes, invoices and the
provisioning history (polled while a request runs), and a change of resource limits charged
exactly what its preview showed, on a fixed clock."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from app.billing.models import Invoice
from app.extensions import db
from app.orders.models import Order
from app.provisioning.models import FulfillmentRequest
from tests.integration.subscriptions.conftest import FEB_1, confirm, hidden, review, text_of

APRIL_1 = datetime(2026, 4, 1, 9)  # a 30-day period: 1 April 09:00 to 1 May 09:00
APRIL_13 = datetime(2026, 4, 13, 15)  # 18 days left


def _self_paying(world):
    """Customer A pays its own subscriptions on account (at its reseller's customer price, the MSRP)."""
    world.customer.credit_limit = 1_000_000
    db.session.commit()
    return world


def _one(text: str, attribute: str) -> str:
    match = re.search(rf'{attribute}[^>]*>([^<]*)<', text)
    assert match, attribute
    return match.group(1).strip()


def test_a_confirmed_change_is_charged_exactly_the_prorated_amount_shown(client, auth, world, subscribe, clock):
    world = _self_paying(world)
    clock.at(APRIL_13)
    subscription = subscribe(APRIL_1, seats=8, payer=world.customer)
    auth.login("admin@customer-a.test")

    page = review(client, subscription.id, seats=11)

    text = text_of(page)
    assert page.status_code == 200 and "18 of 30 days left" in text
    # 3 seats above the current 8 x $3.00 x 18/30 = $5.40; tax 10 % = $0.54
    shown_subtotal, shown_total = _one(text, 'data-total="customer"'), _one(text, 'data-total="total"')
    assert (shown_subtotal, shown_total) == ("$5.40", "$5.94")

    done = confirm(client, subscription.id, hidden(page.get_data(as_text=True), "fingerprint"), seats=11)

    assert done.status_code == 302
    order = db.session.scalar(select(Order))
    invoice = db.session.scalar(select(Invoice))
    assert (order.buyer_id, order.subtotal, order.tax, order.total) == (world.customer.id, 540, 54, 594)
    assert (invoice.organisation_id, invoice.order_id, invoice.subtotal, invoice.tax, invoice.total) == (
        world.customer.id, order.id, 540, 54, 594)
    (line,) = invoice.lines
    assert (line.unit_price, line.quantity, line.amount, line.period_fraction) == (300, 3, 540, "3/5")
    assert line.description == "Change of Sync Tool · for-customers (Monthly): Seats: 8 to 11, 18/30 days"
    assert "Change confirmed: order" in text_of(client.get(done.headers["Location"]))


def test_the_detail_shows_amounts_the_scheduled_decrease_invoices_and_provisioning(client, auth, world, subscribe, clock):
    world = _self_paying(world)
    clock.at(APRIL_13)
    subscription = subscribe(APRIL_1, seats=8, payer=world.customer)
    auth.login("admin@customer-a.test")
    up = review(client, subscription.id, seats=10)
    confirm(client, subscription.id, hidden(up.get_data(as_text=True), "fingerprint"), seats=10, key="b" * 32)
    down = review(client, subscription.id, key="c" * 32, seats=7)
    confirm(client, subscription.id, hidden(down.get_data(as_text=True), "fingerprint"), key="c" * 32, seats=7)

    text = text_of(client.get(f"/customer/subscriptions/{subscription.id}"))

    # the plan $10.00 + 5 seats above the 5 included x $3.00 = $25.00 per period
    assert 'data-resource-amount="seats">$15.00<' in text and "5 above the included" in text and "data-period-total>$25.00<" in text
    assert "Pending decrease" in text and "From 01 May 2026" in text and "Seats 10 → 7" in text
    invoice = db.session.scalar(select(Invoice))
    assert f'href="/invoices/{invoice.number}"' in text
    assert 'data-request-type="change"' in text and 'data-request-state="pending"' in text
    assert 'data-polling="on"' in text and f'hx-get="/customer/subscriptions/{subscription.id}/provisioning"' in text


def test_the_provisioning_fragment_polls_until_every_request_finished(client, auth, world, subscribe, clock):
    world = _self_paying(world)
    clock.at(APRIL_13)
    subscription = subscribe(APRIL_1, seats=8, payer=world.customer)
    auth.login("admin@customer-a.test")
    page = review(client, subscription.id, seats=9)
    confirm(client, subscription.id, hidden(page.get_data(as_text=True), "fingerprint"), seats=9)
    fragment = f"/customer/subscriptions/{subscription.id}/provisioning"
    assert 'data-polling="on"' in text_of(client.get(fragment)) and "Queued" in text_of(client.get(fragment))

    request = db.session.scalar(select(FulfillmentRequest))
    request.state, request.failed_at, request.last_error = "failed", APRIL_13, "vendor said 500 at host x"
    db.session.commit()

    text = text_of(client.get(fragment))
    assert 'data-polling="off"' in text and "hx-get" not in text and 'data-request-state="failed"' in text
    assert "Our team has been notified and will retry" in text and "vendor said 500" not in text  # no vendor internals


def test_a_refused_amount_is_explained_next_to_its_field(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-a.test")
    form = client.get(f"/customer/subscriptions/{subscription.id}/change").get_data(as_text=True)
    assert re.search(r'name="qty-seats" min="5" max="100" step="1"', form)

    refused = text_of(review(client, subscription.id, seats=101))

    assert re.search(r'name="qty-seats"[^>]*aria-invalid="true" aria-describedby="qty-seats-error"', refused)
    assert '<div class="invalid-feedback" id="qty-seats-error">Seats: the maximum is 100.</div>' in refused


def test_the_list_is_paginated_in_the_url_with_a_bounded_number_of_queries(client, auth, world, subscribe, clock, count_queries):
    for _ in range(3):
        subscribe(FEB_1)
    auth.login("admin@customer-a.test")
    client.get("/customer/subscriptions")
    with count_queries() as few:
        client.get("/customer/subscriptions")
    for _ in range(27):
        subscribe(FEB_1)

    with count_queries() as many:
        first = text_of(client.get("/customer/subscriptions"))
    second = text_of(client.get("/customer/subscriptions?page=2"))

    assert many.count == few.count <= 9, many.statements
    assert first.count("data-subscription=") == 25 and second.count("data-subscription=") == 5
    assert 'href="/customer/subscriptions?page=2"' in first and "Page 1 of 2" in first
    assert 'data-count="total">30<' in second
    assert text_of(client.get("/customer/subscriptions?page=x")).count("data-subscription=") == 25

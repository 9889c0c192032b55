"""Labels and data as a buyer reads them (issue 15, item 5): a choice parameter by its label
on the cart, the checkout, the order page, the order mail and the invoice; unit names in the
plural; postpaid plans priced per unit; zero-amount invoices settled at once; a QuickStart
bought with a subscription delivered; no doubled full stop after a name ending with one."""
from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from app.billing.invoicing import NewInvoiceLine, create_invoice
from app.billing.models import Invoice
from app.extensions import db
from app.mail.models import OutboxMessage
from app.plans.lifecycle import activate
from tests import factories as f
from tests.integration.checkout.helpers import add_to_cart, open_checkout, place_order, term_of

LOCATIONS = [["us-east", "United States (East)"], ["eu-central", "Europe (Frankfurt)"]]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def located_plan(shop):
    """A reseller plan of "Mail Suite", whose data location is a choice."""
    product = f.make_product(shop.category, name="Mail Suite", parameters=[
        dict(key="data_location", label="Data location", kind="choice", choices=LOCATIONS)])
    plan = f.make_plan(product, distributor=shop.distributor, marketplace=shop.us, audience="reseller", code="mail")
    db.session.commit()
    return plan


def test_a_choice_parameter_shows_its_label_from_cart_to_invoice(client, auth, shop, located_plan, handed_off):
    auth.login("admin@reseller.test")
    line_url = add_to_cart(client, term_of(located_plan)).headers["Location"]
    client.post(line_url, data={"param-data_location": "eu-central"})

    cart = text_of(client.get("/cart"))
    assert '<p class="small text-body-secondary mb-2" data-parameters>Data location: Europe (Frankfurt)</p>' in cart
    assert "eu-central" not in cart

    checkout = open_checkout(client)
    assert "For Reseller One · Data location: Europe (Frankfurt)</div>" in html.unescape(checkout.text)

    placed = place_order(client, checkout)
    order_page = text_of(client.get(placed.headers["Location"]))
    assert "data-parameters>Data location: Europe (Frankfurt)</td>" in order_page and "eu-central" not in order_page

    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order_confirmation")).all()
    assert "(for Reseller One): $8.00\n   Data location: Europe (Frankfurt)\n" in mail.body
    assert '<br><span style="color:#6c757d;">Data location: Europe (Frankfurt)</span></td>' in mail.html
    invoice = db.session.scalar(select(Invoice))
    assert [line.description for line in invoice.lines] == [
        "Mail Suite · mail (Monthly): mail, monthly subscription (Data location: Europe (Frankfurt))"]


@pytest.fixture
def postpaid_plan(shop):
    """A postpaid customer plan with no price of its own, billed per mailbox ($3.50 MSRP)."""
    product = f.make_product(shop.category, name="Metered Mail")
    mailbox = f.make_resource("mailboxes", measures_seats=True, name="Mailboxes", unit="mailbox")
    plan = f.make_plan(product, distributor=shop.distributor, marketplace=shop.us, payment_model="postpaid", cost=0, msrp=0,
                       code="metered")
    f.add_plan_resource(plan, mailbox, distributor=shop.distributor, marketplace=shop.us, included=0, minimum=1, maximum=1000,
                        cost=280, msrp=350)
    db.session.commit()
    return plan


def test_a_postpaid_plan_shows_its_price_per_unit_not_zero(client, shop, postpaid_plan):
    product_page = " ".join(text_of(client.get("/products/metered-mail")).split())
    assert ('<span class="price-lg" data-price data-plan="metered">$3.50</span> '
            '<span class="text-body-secondary">per mailbox, per month</span>') in product_page
    assert "Billed at the end of each period on the peak number of mailboxes." in product_page
    assert "up to 1000 mailboxes" in product_page and "mailboxs" not in product_page
    assert 'data-plan="metered">$0.00' not in product_page

    listing = " ".join(text_of(client.get("/catalog/")).split())
    card = listing[listing.index("Metered Mail"):]
    assert ('<span class="fw-semibold" data-price>$3.50</span> <span class="small text-body-secondary">per mailbox, '
            'per month</span>') in card[:1500]

    add_to_cart(client, term_of(postpaid_plan), mailboxes=3)
    cart = " ".join(text_of(client.get("/cart")).split())
    assert ("Postpaid: nothing is due now. Billed at the end of each period on the peak quantity, at the unit prices "
            "above ($3.50 per mailbox).") in cart


def test_a_zero_amount_invoice_is_settled_at_once(shop):
    now = datetime(2026, 3, 1, 9)
    free = create_invoice(shop.customer, "USD", [NewInvoiceLine("Free first month", 0, 1, 0)], now)
    owed = create_invoice(shop.customer, "USD", [NewInvoiceLine("Seats", 300, 2, 600)], now)
    db.session.commit()
    assert (free.status, free.paid_at, free.total) == ("paid", now, 0)
    assert (owed.status, owed.paid_at, owed.total) == ("open", None, 660)


def test_a_free_first_month_order_on_account_leaves_no_open_invoice(client, auth, shop, handed_off):
    plan = f.make_plan(shop.product, distributor=shop.distributor, marketplace=shop.us, audience="reseller", code="trial",
                       postponed_billing_allowed=True)
    db.session.commit()
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(plan), postponed=True)
    placed = place_order(client, open_checkout(client))
    assert placed.status_code == 302
    invoice = db.session.scalar(select(Invoice))
    assert (invoice.total, invoice.status, invoice.paid_at is not None) == (0, "paid", True)


def test_a_quickstart_bought_with_the_subscription_shows_as_delivered(client, auth, shop, handed_off):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=5, quickstart=1)
    place_order(client, open_checkout(client))
    subscription_id = db.session.scalar(select(Invoice)).order.lines[0].subscription_id

    pending = text_of(client.get(f"/reseller/subscriptions/{subscription_id}"))
    assert 'data-quantity="quickstart">Ordered</td>' in pending
    activate(subscription_id, datetime(2026, 3, 1, 9))
    db.session.commit()
    active = text_of(client.get(f"/reseller/subscriptions/{subscription_id}"))
    assert 'data-quantity="quickstart">Delivered</td>' in active and 'data-quantity="seats">5</td>' in active


def test_a_quickstart_not_bought_reads_not_bought(client, auth, shop, handed_off):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=5)
    place_order(client, open_checkout(client))
    subscription_id = db.session.scalar(select(Invoice)).order.lines[0].subscription_id
    assert 'data-quantity="quickstart">Not bought</td>' in text_of(client.get(f"/reseller/subscriptions/{subscription_id}"))


def test_a_name_ending_with_a_full_stop_gets_no_second_one(client, auth, shop):
    shop.customer.name = "Acme Inc."
    subscription = f.make_subscription(shop.customer, shop.customer_plan, payer=shop.reseller)
    db.session.commit()
    auth.login("admin@customer-a.test")
    page = " ".join(text_of(client.get(f"/customer/subscriptions/{subscription.id}/change")).split())
    assert "for-customers (Monthly) for Acme Inc. Not active yet." in page and "Inc.." not in page

"""Checking out by card in a real browser: the card saved with the Stripe.js stand-in, the order
paid and provisioned, the invoice PDF downloaded, and the confirmation e-mail with the PDF
received by a real SMTP server on loopback. Provisioning and the mail job run inline."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.clock import current_now
from app.billing.models import Invoice
from app.orders.models import Order  # (before app.cart: importing the cart first trips an import cycle)
from app.cart.models import Cart, CartLine  # noqa: I001
from app.extensions import db
from app.mail.delivery import send_outbox_message
from app.mail.models import OutboxMessage
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import run_request
from tests import factories
from tests.smtp_support import smtp_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def mailing_app(app, smtp_server, monkeypatch):
    """The app sending through the loopback SMTP server, PDFs readable, an instant vendor."""
    smtp_server.start()
    settings = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port,
                "INVOICE_PDF_COMPRESS": False, "INVOICE_PDF_FONT": "core", "DEMO_VENDOR_LATENCY": 0.0}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    return app


def _sign_in(page, live_server, email):
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")


def test_a_reseller_checks_out_by_card_and_receives_its_invoice(mailing_app, world, localstripe, live_server, page, smtp_server, screenshot):
    # given a reseller with billing details, no card on file, and 6 seats of its plan in the cart
    factories.make_billing_info(world.reseller, legal_name="Reseller One LLC")
    term = next(t for t in world.reseller_plan.terms if t.code == "monthly")
    cart = Cart(user_id=world.users.reseller.id, marketplace_id=world.us.id)
    db.session.add_all([cart, CartLine(cart=cart, plan_term_id=term.id, quantities={"seats": 6}, beneficiary={"kind": "self"})])
    db.session.commit()
    _sign_in(page, live_server, "admin@reseller.test")
    # when it checks out by card: 16.00 + 2.00, 10 % tax
    page.goto(live_server + "/checkout")
    assert page.locator("aside [data-total=total]").inner_text() == "$19.80"
    page.get_by_label(re.compile("^Card")).check()
    page.get_by_label(re.compile("I accept the Vendor terms")).check()
    screenshot("card-checkout-1-summary")
    page.get_by_role("button", name="Place order").click()
    # then, having no card on file, it saves one with Stripe.js and comes back to pay
    page.wait_for_url("**/payments/card?next=**")
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("12345")
    page.get_by_role("button", name="Save card").click()
    page.wait_for_url("**/orders/ORD-*/pay")
    expect(page.locator("#saved-card")).to_contain_text("Visa ending in 4242")
    screenshot("card-checkout-2-pay")
    page.get_by_role("button", name="Pay $19.80 now").click()
    page.wait_for_url(re.compile(r".*/orders/ORD-[\d-]+$"))
    expect(page.locator(".alert-success")).to_contain_text("Payment received. Thank you!")
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    invoice = db.session.scalar(select(Invoice))
    assert (order.payment_status, invoice.status, invoice.total, order.total) == ("paid", "paid", 1980, 1980)
    # when provisioning runs, the order completes
    run_request(db.session.scalar(select(FulfillmentRequest.id)), "test:browser")
    page.reload()
    expect(page.locator("#provisioning-progress")).to_contain_text("Everything in this order is provisioned")
    screenshot("card-checkout-3-order-completed")
    # and the invoice PDF downloads, with its number and total
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    pdf = open(download.value.path(), "rb").read()
    assert download.value.suggested_filename == f"{invoice.number}.pdf"
    assert pdf.startswith(b"%PDF-") and f"Invoice {invoice.number}".encode() in pdf and b"$19.80" in pdf
    # and when the mail job runs, the confirmation with the PDF reaches the SMTP server, once
    for message_id in db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending")).all():
        send_outbox_message(message_id, current_now())
    received = {message["Subject"]: message for message in smtp_server.messages}
    assert sorted(received) == [f"New subscription: {world.reseller_plan.name}", f"Thank you for subscribing: order {order.number}"]
    thanks = received[f"Thank you for subscribing: order {order.number}"]
    assert thanks["To"] == "admin@reseller.test"
    [attachment] = list(thanks.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf" and b"$19.80" in attachment.get_content()

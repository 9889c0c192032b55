"""Saving a card and confirming a 3-D Secure payment through the real pages: Stripe.js
(localstripe's stand-in) under the app's CSP."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.orders.models import Order
from app.payments.cards import set_default_card
from app.payments.errors import PaymentRequiresAction
from app.payments.models import Payment, PaymentAccount
from app.payments.service import start_card_payment
from tests import factories

pytestmark = pytest.mark.browser


def test_an_admin_saves_a_3d_secure_card_with_the_stripe_js_form(app, localstripe, live_server, page, screenshot):
    # given a reseller admin signed in
    marketplace = factories.make_marketplace("US", "USD")
    reseller = factories.make_reseller(factories.make_distributor(), name="Reseller One", marketplace=marketplace)
    factories.make_user(reseller, "admin@reseller.test")
    db.session.commit()
    csp_errors = []
    # (htmx's own indicator <style> is refused on every page: not this form's concern)
    page.on("console", lambda message: csp_errors.append(message.text) if "Content Security Policy" in message.text
            and "htmx" not in message.location.get("url", "") else None)
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("admin@reseller.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")  # signed in before leaving the page
    # when the admin enters a card that asks for 3-D Secure and completes the challenge
    page.goto(live_server + "/payments/card")
    assert page.get_by_role("heading", name="Add a card").is_visible()
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill("4000002760003184")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("12345")
    screenshot("payments-card-form")
    page.get_by_role("button", name="Save card").click()
    page.get_by_role("button", name="Complete authentication").click()
    # then the card is saved as the organisation's default and shown
    expect(page.get_by_role("status")).to_contain_text("Card Visa ending in 3184 saved for your orders and renewals.")
    assert "Visa ending in 3184" in page.locator("#saved-card").inner_text()
    assert page.get_by_role("heading", name="Replace the card").is_visible()
    screenshot("payments-card-saved")
    db.session.expire_all()
    assert db.session.scalar(select(PaymentAccount.card_last4)) == "3184"
    assert csp_errors == []


def test_a_buyer_confirms_a_3d_secure_payment_with_the_bank(app, localstripe, live_server, page, screenshot):
    # given an order whose card payment waits for 3-D Secure
    marketplace = factories.make_marketplace("US", "USD")
    reseller = factories.make_reseller(factories.make_distributor(), name="Reseller One", marketplace=marketplace)
    factories.make_user(reseller, "admin@reseller.test")
    order = Order(number="ORD-TEST-3DS", buyer_id=reseller.id, marketplace_id=marketplace.id, currency="USD",
                  total=2_500, payment_method="card", idempotency_key="test-3ds")
    db.session.add(order)
    db.session.commit()
    set_default_card(reseller, localstripe.card("4000002760003184"))
    with pytest.raises(PaymentRequiresAction):
        start_card_payment(order.id, 2_500, "USD", reseller)
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("admin@reseller.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")  # signed in before leaving the page
    # when the buyer confirms with the bank
    page.goto(live_server + f"/payments/orders/{order.id}/authenticate")
    page.get_by_role("button", name="Confirm with my bank").click()
    page.get_by_role("button", name="Complete authentication").click()
    # then the payment is recorded as confirmed
    expect(page.get_by_role("status")).to_contain_text("Payment confirmed. Thank you!")
    screenshot("payments-3ds-confirmed")
    db.session.expire_all()
    assert db.session.scalar(select(Payment.status)) == "succeeded"

"""A newcomer's first hour in a real browser, on the demo catalog: sign-up from the navbar with
a cart filled before, the verification e-mail read from the outbox and its link opened, the
first purchase by card (the card saved with the Stripe.js stand-in), the payment abandoned on
the pay page, the order shown as awaiting payment, paid later from the order page; then a
forgotten password reset through the e-mailed link."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.demo_data import seed_demo
from app.extensions import db
from app.mail.models import OutboxMessage
from app.orders.models import Order

pytestmark = pytest.mark.browser

EMAIL = "grace@hopper-labs.example"
PASSWORD = "Compiler-1952"
NEW_PASSWORD = "Nanosecond-30cm"


def _open_mail(page, kind: str, screenshot, name: str):
    """Shows the newest ``kind`` message to the newcomer as its HTML part renders, and returns
    the message."""
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.recipient == EMAIL)
                                 .order_by(OutboxMessage.id.desc())).first()
    assert message is not None, f"no {kind} message to {EMAIL}"
    page.goto("about:blank")  # not on the site's page, whose Content-Security-Policy refuses inline styles
    page.set_content(message.html)
    screenshot(name)
    return message


def _follow_mail_link(page, live_server, message, name: str) -> None:
    link = page.get_by_role("link", name=name)
    href = link.get_attribute("href")
    assert href.startswith(live_server + "/") and href in message.body
    page.goto(href)


@pytest.fixture
def demo(app, localstripe, live_server, monkeypatch):
    """The demo catalog, e-mail links pointing at the live server, an instant vendor."""
    seed_demo()
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server)
    monkeypatch.setitem(app.config, "DEMO_VENDOR_LATENCY", 0.0)
    return app


def test_a_newcomer_signs_up_verifies_buys_by_card_pays_later_and_resets_its_password(demo, live_server, page, screenshot):
    # given a visitor who put TaskFlow Team in its cart before having an account
    page.goto(live_server + "/products/taskflow-projects?audience=customer")
    card = page.locator("article.plan-card", has=page.get_by_role("heading", name="TaskFlow Team"))
    card.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart")
    # when it signs up from the navbar
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Organisation name").fill("Hopper Labs Inc.")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    screenshot("newcomer-1-sign-up")
    page.get_by_role("button", name="Create account").click()
    # then it is signed in, asked to confirm its address, and its cart came along
    page.wait_for_url("**/account/verify**")
    expect(page.locator("main")).to_contain_text(f"We sent a link to {EMAIL}")
    expect(page.locator(".nav-cart .badge")).to_contain_text("1")
    screenshot("newcomer-2-check-your-inbox")
    # when it tries to check out before confirming, it is told to confirm first
    page.goto(live_server + "/checkout")
    page.wait_for_url("**/account/verify**")
    expect(page.locator(".alert-warning").first).to_contain_text("Confirm your e-mail address before you place an order")
    # when it opens the link of the verification e-mail
    message = _open_mail(page, "email_verification", screenshot, "newcomer-3-verification-mail")
    _follow_mail_link(page, live_server, message, "Confirm my address")
    # then its address is confirmed and it is back at its cart
    page.wait_for_url("**/cart")
    expect(page.locator(".alert-success")).to_contain_text("your e-mail address is confirmed")
    expect(page.locator("#unverified-notice")).to_have_count(0)
    screenshot("newcomer-4-verified-cart")
    # when it checks out, telling who to invoice first
    page.get_by_role("link", name="Check out").click()
    page.wait_for_url("**/account/billing**")
    page.get_by_label("Legal name").fill("Hopper Labs Inc.")
    page.get_by_label("Address", exact=True).fill("1 Harvard Way")
    page.get_by_label("Postal code").fill("02138")
    page.get_by_label("City").fill("Cambridge")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Billing e-mail address").fill(EMAIL)
    page.get_by_role("button", name="Save billing information").click()
    page.wait_for_url("**/checkout")
    total = page.locator("aside [data-total=total]").inner_text()
    page.get_by_label(re.compile("^Card")).check()
    for terms in page.locator("input[name=terms]").all():
        terms.check()
    screenshot("newcomer-5-checkout")
    page.get_by_role("button", name="Place order").click()
    # then, having no card on file, it saves one with Stripe.js and comes to the pay page
    page.wait_for_url("**/payments/card?next=**")
    card_form = page.locator("#card-element")
    card_form.get_by_placeholder("number").fill("4242424242424242")
    card_form.get_by_placeholder("exp_month").fill("12")
    card_form.get_by_placeholder("exp_year").fill("34")
    card_form.get_by_placeholder("cvc").fill("123")
    card_form.get_by_placeholder("postal_code").fill("02138")
    page.get_by_role("button", name="Save card").click()
    page.wait_for_url("**/orders/ORD-*/pay")
    screenshot("newcomer-6-pay-page")
    number = db.session.scalar(select(Order.number))
    # when it leaves the pay page without paying
    page.goto(live_server + "/orders")
    # then the order says it awaits payment, in the list and on its page, with a way to pay
    expect(page.locator("main")).to_contain_text("Awaiting payment")
    screenshot("newcomer-7-orders-awaiting-payment")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/orders/{number}")
    expect(page.locator("main")).to_contain_text("Awaiting payment")
    screenshot("newcomer-8-order-awaiting-payment")
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) != "paid"
    # when it pays later from the order page
    page.get_by_role("link", name=re.compile("^Pay")).first.click()
    page.wait_for_url(f"**/orders/{number}/pay")
    page.get_by_role("button", name=f"Pay {total} now").click()
    # then the order is paid
    page.wait_for_url(re.compile(rf".*/orders/{number}$"))
    expect(page.locator(".alert-success")).to_contain_text("Payment received. Thank you!")
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "paid"
    screenshot("newcomer-9-order-paid")

    # when, signed out later, it has forgotten its password and asks for a link
    page.get_by_role("button", name=EMAIL).click()
    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server + "/sign-in")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_role("button", name="Send me a link").click()
    page.wait_for_url("**/sign-in")
    expect(page.locator(".alert-info")).to_contain_text(f"If an account exists for {EMAIL}, we sent it a link")
    screenshot("newcomer-10-reset-requested")
    # and opens the link of the e-mail and chooses a new password
    message = _open_mail(page, "password_reset", screenshot, "newcomer-11-reset-mail")
    _follow_mail_link(page, live_server, message, "Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    screenshot("newcomer-12-new-password")
    page.get_by_role("button", name="Set my new password").click()
    # then it signs in with the new password
    page.wait_for_url("**/sign-in")
    expect(page.locator(".alert-success")).to_contain_text("Your password was changed.")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    expect(page.locator("nav")).to_contain_text(EMAIL)
    screenshot("newcomer-13-signed-in-again")

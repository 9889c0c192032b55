"""Issue 12's journey in a real browser: customer A's administrator buys a plan in its panel's
Marketplace (on account), the subscription is provisioned, it raises seats (change resource
limits, confirmed), assigns a seat to a new user (the invitation lands in the outbox), lowers
seats (shown as a scheduled decrease with its date), and opens the increase's invoice (the amount
it confirmed); then an admin of
Reseller One opens the same panel in support mode from /reseller/customers and sees the banner.
Screenshots: journey-01 … journey-10 in tests/artifacts/."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage
from app.orders.models import Order
from app.plans.models import Subscription
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import run_request
from tests import factories
from tests.integration.control_panel.customer_shop import customer_shop  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")


def _run_pending_requests(subscription_id: int, tag: str) -> list[int]:
    """Run the subscription's pending provisioning requests in-process (as the worker would)."""
    db.session.expire_all()
    ids = list(db.session.scalars(select(FulfillmentRequest.id).where(
        FulfillmentRequest.subscription_id == subscription_id, FulfillmentRequest.state == "pending")))
    for number, request_id in enumerate(ids):
        run_request(request_id, f"{tag}:{number}")
    return ids


def test_a_customer_buys_changes_seats_invites_and_its_reseller_supports_it(app, customer_shop, live_server, page, screenshot,
                                                                            monkeypatch):
    world = customer_shop
    monkeypatch.setitem(app.config, "DEMO_VENDOR_LATENCY", 0.0)

    # 1. customer A's administrator signs in and buys 7 seats of the plan in its Marketplace, on account
    _sign_in(page, live_server, "admin@customer-a.test")
    page.goto(live_server + "/customer/")
    page.locator("[data-panel-nav]").get_by_role("link", name="Marketplace").click()
    page.wait_for_url("**/customer/marketplace")
    screenshot("journey-01-marketplace")
    page.locator(f'[data-plan="{world.customer_plan.id}"]').get_by_role("link", name="Choose").click()
    page.get_by_label("Seats").fill("7")
    page.get_by_role("button", name="Continue to the summary").click()
    page.wait_for_url("**/order?**")
    assert "Billed to Customer A" in page.locator("[data-payer]").inner_text()
    page.locator("#pay-on_account").check()
    for checkbox in page.locator("input[name=terms]").all():
        checkbox.check()
    screenshot("journey-02-summary")
    total = page.locator("aside [data-total=total]").inner_text()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r".*/customer/orders/ORD-.*"))
    assert page.locator("[data-order-total]").inner_text() == total
    screenshot("journey-03-order")

    # the purchase is provisioned (the worker's job, run in-process)
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    subscription = db.session.scalar(select(Subscription).where(Subscription.owner_id == world.customer.id))
    assert order.buyer_id == world.customer.id and subscription.payer_id == world.customer.id
    assert _run_pending_requests(subscription.id, "journey-buy")
    db.session.expire_all()
    assert db.session.get(Subscription, subscription.id).status == "active"

    # 2. it raises seats from 7 to 10: the prorated price, confirmed, provisioned
    page.goto(f"{live_server}/customer/subscriptions/{subscription.id}")
    assert page.locator('[data-quantity="seats"]').inner_text() == "7"
    page.get_by_role("link", name="Change resource limits").click()
    page.get_by_label("Seats").fill("10")
    page.get_by_role("button", name="Review the price").click()
    increase = page.locator('[data-change-line="seats"]')
    assert "7 → 10" in increase.inner_text()
    assert increase.locator("td").nth(2).inner_text().startswith("Now")
    charged_now = page.locator('[data-total="total"]').inner_text()  # "Invoiced to Customer A", with tax
    screenshot("journey-04-raise-preview")
    page.get_by_role("button", name="Confirm the change").click()
    page.wait_for_url(f"{live_server}/customer/subscriptions/{subscription.id}")
    assert _run_pending_requests(subscription.id, "journey-raise")
    page.wait_for_selector('#subscription-provisioning[data-polling="off"]', timeout=6000)
    page.reload()
    assert page.locator('[data-quantity="seats"]').inner_text() == "10"
    proration = page.locator("[data-invoices] li", has_text="Proration")
    assert proration.count() == 1
    proration_number = proration.get_attribute("data-invoice")
    screenshot("journey-05-raised")

    # 3. it assigns a seat to a new user by e-mail: the invitation is in the outbox
    page.locator("[data-seats-link]").click()
    page.get_by_label("E-mail address").fill("new.hire@customer-a.test")
    page.get_by_role("button", name="Assign a seat").click()
    expect(page.locator("[role=status]")).to_contain_text("new.hire@customer-a.test and invited")
    assert page.locator("[data-seat-summary]").inner_text().startswith("1 of 10 seats assigned")
    screenshot("journey-06-seat-assigned")
    db.session.expire_all()
    invitations = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "member_invitation",
                                                                 OutboxMessage.recipient == "new.hire@customer-a.test")).all()
    assert len(invitations) == 1

    # 4. it lowers seats from 10 to 8: scheduled for the next period, shown with its date
    db.session.expire_all()
    period_end = db.session.get(Subscription, subscription.id).current_period_end
    page.goto(f"{live_server}/customer/subscriptions/{subscription.id}/change")
    page.get_by_label("Seats").fill("8")
    page.get_by_role("button", name="Review the price").click()
    decrease = page.locator('[data-change-line="seats"]')
    assert "10 → 8" in decrease.inner_text()
    screenshot("journey-07-lower-preview")
    page.get_by_role("button", name="Confirm the change").click()
    page.wait_for_url(f"{live_server}/customer/subscriptions/{subscription.id}")
    scheduled = page.locator("[data-scheduled-change]")
    assert f"From {period_end.strftime('%d %B %Y')}: Seats 10 → 8." in " ".join(scheduled.inner_text().split())
    assert page.locator('[data-quantity="seats"]').inner_text() == "10"
    screenshot("journey-08-decrease-scheduled")

    # 5. it opens the invoice of the seat increase in the panel: the amount it confirmed
    page.locator("[data-panel-nav]").get_by_role("link", name="Invoices").click()
    page.wait_for_url("**/customer/invoices")
    assert page.locator("[data-invoice]").count() == 2  # the purchase and the increase
    page.locator(f'[data-invoice="{proration_number}"] a').first.click()
    page.wait_for_url(f"**/customer/invoices/{proration_number}")
    assert page.locator('[data-total="total"]').inner_text() == charged_now
    assert "Seats: 7 to 10" in page.locator("[data-invoice-line]").inner_text()
    assert "Payment: on account." in page.locator("main").inner_text()
    screenshot("journey-09-invoice")

    # 6. an admin of Reseller One opens the same panel in support mode: the banner is visible
    page.context.clear_cookies()  # sign out
    _sign_in(page, live_server, "admin@reseller.test")
    page.goto(live_server + "/reseller/customers")
    page.locator(f'[data-customer="{world.customer.id}"]').get_by_role("button", name="Open panel as reseller").click()
    page.wait_for_url(live_server + "/customer/")
    page.goto(f"{live_server}/customer/subscriptions/{subscription.id}")
    banner = page.locator("[data-support-banner]")
    assert banner.is_visible()
    assert "You are in Customer A's panel as reseller Reseller One" in banner.inner_text()
    assert page.locator("[data-scheduled-change]").is_visible()
    screenshot("journey-10-support-banner")

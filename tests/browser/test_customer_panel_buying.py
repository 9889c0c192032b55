"""Way 4 in a real browser: a customer buys in its own panel's Marketplace (plan, period,
resources, ordering parameters, summary with who pays), lands on the order's provisioning
status, and opens the order's invoice in the panel."""
import re

import pytest
from sqlalchemy import select

from app.core.demo_data import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.orders.models import Order

pytestmark = pytest.mark.browser


def test_a_customer_buys_in_its_marketplace_and_opens_the_invoice(app, live_server, page, screenshot):
    # given the demo data, and customer A's administrator signed in
    seed_demo()
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("admin@customer-a.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # when it opens the Marketplace tab of its panel and chooses Business Mail – Prepaid
    page.goto(live_server + "/customer/")
    page.locator("[data-panel-nav]").get_by_role("link", name="Marketplace").click()
    page.wait_for_url("**/customer/marketplace")
    screenshot("customer-panel-1-marketplace")
    page.locator("[data-plan]", has=page.get_by_role("heading", name=re.compile("Business Mail – Prepaid"))).get_by_role("link", name="Choose").click()
    # and picks 8 mailboxes and the order details
    page.get_by_label("Mailboxes").fill("8")
    page.get_by_label("Data location").select_option("eu-central")
    page.get_by_label("Domain name").fill("customer-a.example")
    screenshot("customer-panel-2-plan")
    page.get_by_role("button", name="Continue to the summary").click()
    # then the summary shows the quote and who pays
    page.wait_for_url("**/order?**")
    assert "Billed to Customer A Corp" in page.locator("[data-payer]").inner_text()
    for checkbox in page.locator("input[name=terms]").all():
        checkbox.check()
    screenshot("customer-panel-3-summary")
    total = page.locator("aside [data-total=total]").inner_text()
    page.get_by_role("button", name="Place order").click()
    # then it lands on the order's provisioning status in its panel, for the total it saw
    page.wait_for_url(re.compile(r".*/customer/orders/ORD-.*"))
    order = db.session.scalar(select(Order))
    assert page.locator("[data-order-total]").inner_text() == total
    assert "Provisioning" in page.locator("#progress-heading").inner_text()
    screenshot("customer-panel-4-order")
    # and its invoice opens in the panel, with the PDF download
    page.locator("[data-invoice] a").first.click()
    page.wait_for_url("**/customer/invoices/INV-*")
    assert page.locator("[data-total=total]").inner_text() == total
    screenshot("customer-panel-5-invoice")
    page.locator("[data-panel-nav]").get_by_role("link", name="Invoices").click()
    page.wait_for_url(live_server + "/customer/invoices")
    assert page.locator("[data-invoice]").count() >= 1
    screenshot("customer-panel-6-invoices")
    page.locator("[data-panel-nav]").get_by_role("link", name="Orders").click()
    page.wait_for_url(live_server + "/customer/orders")
    assert page.locator(f'[data-order="{order.number}"]').count() == 1
    screenshot("customer-panel-7-orders")

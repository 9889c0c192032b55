"""Issue 11 items 4-6 in a real browser: a reseller creates a single-user and an organisation
subscription for customers, orders an add-on for an existing customer from its panel, and buys
more services for itself; each lands on the order's provisioning status."""
import re

import pytest
from sqlalchemy import select

from app.accounts.models import Organisation
from app.core.demo_data import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.orders.models import Order

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email):
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _choose(page, plan_name):
    page.get_by_label("Find a service plan").fill(plan_name)
    page.get_by_label("Find a service plan").press("Enter")
    page.locator("[data-plan]", has_text=plan_name).first.get_by_role("link", name="Choose").click()


def _accept_and_place(page):
    for checkbox in page.locator("input[name=terms]").all():
        checkbox.check()
    total = page.locator("aside [data-total=total]").inner_text()
    page.get_by_role("button", name="Place order").click()
    return total


def test_a_reseller_creates_subscriptions_and_orders_for_a_customer(app, live_server, page, screenshot):
    seed_demo()
    _sign_in(page, live_server, "admin@reseller-one.example")
    # Create subscription: a single-user plan for an end user
    page.goto(live_server + "/reseller/subscriptions")
    page.get_by_role("link", name="Create subscription").first.click()
    page.wait_for_url("**/reseller/subscriptions/new")
    screenshot("reseller-buying-1-plans")
    _choose(page, "Prism Plus")
    page.get_by_label("End user's e-mail").fill("dev@end-user.example")
    page.get_by_label("Display name").fill("Dana Developer")
    screenshot("reseller-buying-2-single-user")
    page.get_by_role("button", name="Continue to the summary").click()
    page.wait_for_url("**/order?**")
    assert "New customer: Dana Developer" in page.inner_text("body")
    screenshot("reseller-buying-3-single-user-summary")
    total = _accept_and_place(page)
    page.wait_for_url(re.compile(r".*/orders/ORD-.*"))
    assert page.locator("[data-order-total]").inner_text() == total
    screenshot("reseller-buying-4-single-user-order")
    # Create subscription: an organisation plan for a new customer, 3 seats
    page.goto(live_server + "/reseller/subscriptions/new")
    _choose(page, "Prism Pro")
    page.get_by_label("Prism seats").fill("3")
    page.get_by_label("Organisation name").fill("Newco Labs")
    page.get_by_label("Administrator's e-mail").fill("it@newco-labs.example")
    screenshot("reseller-buying-5-organisation")
    page.get_by_role("button", name="Continue to the summary").click()
    page.wait_for_url("**/order?**")
    assert "your customer's price" in page.inner_text("body")
    screenshot("reseller-buying-6-organisation-summary")
    _accept_and_place(page)
    page.wait_for_url(re.compile(r".*/orders/ORD-.*"))
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Newco Labs")) is not None
    # Add new order for customer A: the connector with the Autotask integration
    customer = db.session.scalar(select(Organisation).where(Organisation.name == "Customer A Corp"))
    page.goto(live_server + f"/reseller/customers/{customer.id}/orders/new")
    _choose(page, "IDSync Connector for Customers")
    page.get_by_label("IDSync – Autotask billing integration").check()
    screenshot("reseller-buying-7-customer-plan")
    page.get_by_role("button", name="Continue to the summary").click()
    page.wait_for_url("**/order?**")
    screenshot("reseller-buying-8-customer-summary")
    _accept_and_place(page)
    page.wait_for_url(re.compile(rf".*/reseller/customers/{customer.id}/orders/ORD-.*"))
    assert "Provisioning" in page.locator("#progress-heading").inner_text()
    screenshot("reseller-buying-9-customer-order")
    number = page.url.rsplit("/", 1)[1]
    order = db.session.scalar(select(Order).where(Order.number == number))
    assert (order.buyer_id, order.lines[0].quantities.get("idsync-autotask")) == (customer.id, 1)
    # Buy more services for itself
    page.locator("[data-panel-nav]").get_by_role("link", name="Buy more services").click()
    page.wait_for_url("**/reseller/marketplace")
    screenshot("reseller-buying-10-marketplace")

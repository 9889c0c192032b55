"""Way 1 in a real browser: a product with extra seats and a QuickStart, the cart, sign-in,
billing information, terms, the order summary, and the order page."""
import re

import pytest
from sqlalchemy import select

from app.accounts.models import BillingInfo
from app.core.demo_data import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.orders.models import Order

pytestmark = pytest.mark.browser


def test_reseller_buys_seats_and_a_quickstart_on_account(app, live_server, page, screenshot):
    # given the demo catalog, and a reseller that has not filled in its billing information yet
    seed_demo()
    db.session.delete(db.session.scalar(select(BillingInfo).where(BillingInfo.legal_name == "Reseller One LLC")))
    db.session.commit()
    # when a visitor picks the reseller connector with 50 users and the Autotask QuickStart
    page.goto(live_server + "/products/idsync-identity-synchronizer?audience=reseller")
    card = page.locator("article.plan-card", has=page.get_by_role("heading", name="IDSync Connector for Resellers"))
    card.get_by_label("Synchronised users").fill("50")
    card.get_by_label("Add QuickStart for Autotask billing").check()
    screenshot("checkout-1-product-add-ons")
    card.get_by_role("button", name="Add to cart").click()
    # then the cart shows the line, priced at retail, and the navbar counts it
    page.wait_for_url("**/cart")
    assert page.locator(".nav-cart .badge").inner_text().startswith("1")
    assert "Synchronised users beyond the 25 included" in page.locator(".cart-line").inner_text()
    screenshot("checkout-2-cart")
    # when it checks out, signs in, and fills in the billing information it is asked for
    page.get_by_role("link", name="Check out").click()
    page.get_by_label("E-mail address").fill("admin@reseller-one.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/billing**")
    page.get_by_label("Legal name").fill("Reseller One LLC")
    page.get_by_label("Address", exact=True).fill("100 Market Street")
    page.get_by_label("Postal code").fill("78701")
    page.get_by_label("City").fill("Austin")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Billing e-mail address").fill("billing@reseller-one.example")
    screenshot("checkout-3-billing-information")
    page.get_by_role("button", name="Save billing information").click()
    # then it is back on the checkout with the summary at its reseller cost, with tax
    page.wait_for_url("**/checkout")
    summary = page.locator("table.quote-table")
    rows = summary.locator("tr.quote-item")
    assert rows.nth(1).locator("[data-unit-price]").inner_text() == "$1.20"
    assert rows.nth(1).locator("[data-quantity]").inner_text() == "25"
    assert rows.nth(1).locator("[data-subtotal]").inner_text() == "$30.00"
    subtotal, tax, total = (page.locator(f"aside [data-total={which}]").inner_text() for which in ("subtotal", "tax", "total"))
    assert (subtotal, tax, total) == ("$468.40", "$33.96", "$502.36")  # 39.20 + 25 x 1.20 + 399.20; 7.25 % tax
    # when it accepts both terms and places the order
    page.get_by_label(re.compile("I accept the United States marketplace terms")).check()
    page.get_by_label(re.compile("I accept the SyncWorks terms")).check()
    screenshot("checkout-4-summary")
    page.get_by_role("button", name="Place order").click()
    # then it lands on its order, totals as quoted, the subscription pending
    page.wait_for_url("**/orders/ORD-*")
    number = db.session.scalar(select(Order.number))
    assert page.get_by_role("heading", name=re.compile(f"Order {number}")).is_visible()
    assert page.locator("[data-order-total]").inner_text() == total
    assert page.locator("#provisioning-progress [data-request-state=pending]").count() == 1  # handed to provisioning
    assert page.locator(".nav-cart .badge").count() == 0
    screenshot("checkout-5-order")

"""A reseller administrator in a real browser: its billing page (credit used and remaining, the
latest invoices), saving its billing information, opening an invoice, then its activity log,
filtered and exported as CSV. Screenshots: reseller-billing*, reseller-activity*."""
from datetime import datetime, timedelta

import pytest

from app.accounts.activity import record_activity
from app.extensions import db
from tests import factories

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")


def test_a_reseller_reads_its_billing_saves_its_information_and_exports_its_activity(world, live_server, page, screenshot):
    world.reseller.credit_limit = 500_000
    numbers = [factories.make_invoice(world.reseller, (12_000 + 1000 * i,), now=datetime(2026, 5 + i, 1, 12, 0)).number
               for i in range(3)]
    factories.make_invoice(world.reseller, (9_000,), status="paid", now=datetime(2026, 4, 1, 12, 0))
    start = datetime(2026, 5, 1, 9, 0)
    for day, (action, summary) in enumerate([
            ("order.placed", "Order ORD-2026-000101 placed: Sync Tool for customers, monthly"),
            ("subscription.changed", "Customer A: Resource limits of Sync Tool changed (now): Seats 5 -> 8"),
            ("support.started", "Support session opened in Customer A's panel by Reseller One"),
            ("subscription.canceled", "Customer B: Sync Tool cancelled: it ends at the end of the period (31 May 2026)"),
            ("invitation.sent", "Invitation as administrator sent to boss@newco.example (Sync Tool)")]):
        record_activity(world.reseller.id, action, summary, actor=None if action == "invitation.sent" else world.users.reseller,
                        now=start + timedelta(days=day))
    db.session.commit()

    _sign_in(page, live_server, "admin@reseller.test")
    page.goto(live_server + "/reseller/billing")
    assert page.locator("[data-billing-info-missing]").is_visible()
    assert page.locator("[data-credit-used]").inner_text() == "$429.00"
    assert page.locator("[data-credit-left]").inner_text() == "$4,571.00"
    screenshot("reseller-billing")

    page.get_by_role("link", name="Add billing information").click()
    page.get_by_label("Legal name").fill("Reseller One LLC")
    page.get_by_label("Address", exact=True).fill("100 Market Street")
    page.get_by_label("Postal code").fill("78701")
    page.get_by_label("City").fill("Austin")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Billing e-mail address").fill("billing@example.com")
    screenshot("reseller-billing-information")
    page.get_by_role("button", name="Save billing information").click()
    page.wait_for_url(live_server + "/reseller/billing")
    assert "Reseller One LLC" in page.locator("[data-billing-info]").inner_text()
    screenshot("reseller-billing-saved")

    page.get_by_role("link", name=numbers[-1]).click()
    page.wait_for_url(f"{live_server}/reseller/invoices/{numbers[-1]}")
    assert page.locator('[data-total="total"]').inner_text() == "$154.00"
    screenshot("reseller-invoice")

    page.locator("[data-panel-nav]").get_by_role("link", name="Activity").click()
    page.wait_for_url(live_server + "/reseller/activity")
    assert page.locator("[data-activity]").count() == 6  # the five above and the billing information just saved
    assert page.locator('[data-activity="billing.updated"]').count() == 1
    screenshot("reseller-activity")
    page.get_by_label("Action").select_option("subscription.canceled")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(live_server + "/reseller/activity?action=subscription.canceled*")
    assert page.locator("[data-activity]").count() == 1
    screenshot("reseller-activity-filtered")
    with page.expect_download() as download:
        page.locator("[data-activity-export]").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("When (UTC),Action,Actor") and len(text.splitlines()) == 2
    assert "Customer B: Sync Tool cancelled" in text

"""The reseller panel's home in a real browser: the cards, the chart and the table; sorting and
filtering that keep their state in the URL; the actions menu used with the keyboard to raise
seats (prices side by side), lower them (pending with its date), cancel and resume; the CSV."""
from datetime import datetime

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.plans.models import BillingPeriod
from tests import factories
from tests.integration.reseller_home.conftest import book  # noqa: F401  (fixture)
from tests.integration.plans.conftest import subscribe  # noqa: F401  (fixture)
from tests.integration.subscriptions.conftest import clock  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")


def _bill_a_year(book) -> None:
    book.world.reseller.credit_limit = 1_000_000  # it buys on account
    for month in range(3, 15):
        start = datetime(2025 + (month - 1) // 12, (month - 1) % 12 + 1, 1, 9)
        for subscription, revenue, cost in ((book.a_monthly, 1900 + 40 * month, 1400 + 25 * month), (book.canceled, 2500, 1800)):
            db.session.add(BillingPeriod(subscription_id=subscription.id, period_start=start, period_end=start, kind="advance",
                                         status="invoiced", currency="USD", customer_amount=revenue, reseller_amount=cost,
                                         created_at=start))
    db.session.commit()


def _open_actions(page, subscription_id: int, action: str) -> None:
    """Opens the row's actions menu and picks ``action`` with the keyboard only."""
    button = page.locator(f'tr[data-subscription="{subscription_id}"] [data-actions] button.dropdown-toggle')
    button.focus()
    page.keyboard.press("Enter")
    item = page.locator(f'tr[data-subscription="{subscription_id}"] [data-action="{action}"]')
    item.wait_for(state="visible")
    item.focus()
    page.keyboard.press("Enter")


def test_a_reseller_reads_its_overview_and_acts_on_a_subscription_from_the_table(book, live_server, page, screenshot):
    _bill_a_year(book)
    _sign_in(page, live_server, "admin@reseller.test")
    page.goto(live_server + "/reseller/")
    assert page.locator('[data-count="total"]').inner_text() == "6"
    assert page.locator('[data-count="seats"]').inner_text() == "44"
    assert page.locator("[data-revenue-chart] svg rect[data-bar]").count() == 24
    screenshot("reseller-home")

    page.get_by_role("link", name="Monthly margin").click()
    page.wait_for_url("**/reseller/?sort=margin")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/reseller/?q=&status=active&plan=&sort=margin")
    rows = page.locator("tbody tr[data-subscription]")
    assert [rows.nth(i).get_attribute("data-subscription") for i in range(rows.count())] == [
        str(s.id) for s in (book.solo_sub, book.a_monthly, book.b_annual)]
    screenshot("reseller-home-filtered")

    _open_actions(page, book.a_monthly.id, "change")
    page.wait_for_url(f"**/reseller/subscriptions/{book.a_monthly.id}/change")
    page.get_by_label("Seats").fill("10")
    page.get_by_role("button", name="Review the price").click()
    impact = page.locator("[data-change-impact]")
    assert [impact.locator("th[data-tier]").nth(i).inner_text() for i in range(3)] == ["Customer's price", "Your cost", "Your margin"]
    assert impact.locator('[data-impact-row="credit"] [data-impact="customer"]').inner_text() == "-$5.78"
    screenshot("reseller-change-prices")
    page.get_by_role("button", name="Confirm the change").click()
    page.wait_for_url(f"**/reseller/subscriptions/{book.a_monthly.id}")

    page.goto(live_server + "/reseller/")
    _open_actions(page, book.a_monthly.id, "change")
    page.get_by_label("Seats").fill("6")
    page.get_by_role("button", name="Review the price").click()
    expect(page.locator("[data-effective]")).to_contain_text("Takes effect on 01 March 2026")
    page.get_by_role("button", name="Confirm the change").click()
    page.wait_for_url(f"**/reseller/subscriptions/{book.a_monthly.id}")
    page.goto(live_server + "/reseller/")
    status = page.locator(f'tr[data-subscription="{book.a_monthly.id}"] [data-status]')
    assert status.inner_text() == "Pending: changes on 01 Mar 2026"

    _open_actions(page, book.b_annual.id, "cancel")
    page.get_by_role("button", name="Cancel the subscription").click()
    page.wait_for_url(f"**/reseller/subscriptions/{book.b_annual.id}")
    page.goto(live_server + "/reseller/?status=canceled")
    assert page.locator(f'tr[data-subscription="{book.b_annual.id}"] [data-status]').inner_text() == "Canceled: ends 20 Jan 2027"
    screenshot("reseller-home-canceled")
    _open_actions(page, book.b_annual.id, "resume")
    page.wait_for_url(f"**/reseller/subscriptions/{book.b_annual.id}")
    page.goto(live_server + "/reseller/?status=active&sort=customer")
    assert page.locator(f'tr[data-subscription="{book.b_annual.id}"] [data-status]').inner_text() == "Active"

    with page.expect_download() as download:
        page.locator("[data-export]").click()
    lines = open(download.value.path()).read().splitlines()
    assert lines[0].startswith("Subscription,Customer,Plan") and len(lines) == 1 + 2  # the active ones (A now pending), as filtered
    screenshot("reseller-home-end")


def test_the_plan_filter_finds_a_plan_as_one_types_and_is_used_with_the_keyboard(book, live_server, page, screenshot):
    _sign_in(page, live_server, "admin@reseller.test")
    page.goto(live_server + "/reseller/?status=active")

    page.get_by_label("Find a plan to filter by").fill("plu")  # htmx lists the plans in use as one types
    choice = page.locator(f'[data-plan-choices] a[data-plan-choice="{book.single_plan.id}"]')
    expect(choice).to_have_text("plus")
    expect(page.locator("[data-plan-choices-count]")).to_have_text("1 matching plan.")
    screenshot("reseller-home-plan-search")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past "Find" to the plan found
    expect(choice).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/reseller/?status=active&plan={book.single_plan.id}")
    expect(page.locator("[data-plan-filter]")).to_contain_text("Plan: plus")
    expect(page.locator("tbody tr[data-subscription]")).to_have_count(1)

    page.get_by_role("link", name="all plans").click()
    page.wait_for_url("**/reseller/?status=active")
    expect(page.locator("tbody tr[data-subscription]")).to_have_count(3)

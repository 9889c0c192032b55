"""The price pages in a real browser: a reseller sets a customer price now and schedules a
markup (listed with its date, withdrawable); staff start a price-list draft, import a CSV, read
the diff and schedule it."""
import csv
import io
from datetime import timedelta

import pytest

from app.core.clock import current_now
from tests import factories

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")


def test_a_reseller_sets_a_price_now_and_schedules_a_markup(world, live_server, page, screenshot):
    monthly = next(t for t in world.customer_plan.terms if t.code == "monthly")
    _sign_in(page, live_server, "admin@reseller.test")
    page.goto(live_server + "/reseller/")
    page.get_by_role("link", name="Prices").click()
    page.wait_for_url(live_server + "/reseller/prices")
    page.get_by_role("link", name=f"Change the price of Sync Tool — for-customers (Monthly): Seats").click()
    page.get_by_label("A price of").check()
    page.get_by_label("Price in USD").fill("1.50")
    page.get_by_role("button", name="Save the price").click()
    page.wait_for_url(live_server + "/reseller/prices*")
    assert "below your cost: you lose $0.50" in page.locator(".alert-warning").inner_text()

    page.get_by_role("link", name="Change the price of Sync Tool — for-customers (Monthly)", exact=True).click()
    screenshot("reseller-price-edit")
    page.get_by_label("A markup over your cost of").check()
    page.get_by_label("Markup in percent").fill("30")
    page.get_by_label("From (UTC)").check()
    when = (current_now() + timedelta(days=30)).replace(hour=0, minute=0)
    page.get_by_label("Date and time (UTC) the price takes effect").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save the price").click()
    page.wait_for_url(live_server + "/reseller/prices*")
    line = page.locator(f'[data-price-line="{monthly.id}-plan"]')
    assert f"30 % markup from {when:%d %b %Y} 00:00 UTC" in line.inner_text()
    seats = page.locator(f'[data-price-line="{monthly.id}-{world.seats.id}"]')
    assert "below cost" in seats.inner_text()
    screenshot("reseller-prices")
    line.get_by_role("button", name="Withdraw").click()
    page.wait_for_url(live_server + "/reseller/prices*")
    assert "markup from" not in page.locator(f'[data-price-line="{monthly.id}-plan"]').inner_text()


def test_staff_import_a_draft_read_its_diff_and_schedule_it(world, live_server, page, screenshot):
    monthly = next(t for t in world.customer_plan.terms if t.code == "monthly")
    _sign_in(page, live_server, "staff@dist.test")
    page.goto(live_server + "/staff/")
    page.get_by_role("link", name="Price lists").click()
    page.get_by_label("Name of the new version").fill("Summer prices")
    page.get_by_role("button", name="New draft").click()
    page.wait_for_url("**/staff/price-lists/versions/*")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    rows = [row for row in rows if not (row["plan_term_id"] == str(monthly.id) and row["resource_id"] == str(world.quickstart.id))]
    for row in rows:
        if row["plan_term_id"] == str(monthly.id) and row["resource_id"] in ("", str(world.seats.id)):
            row["cost"], row["msrp"] = ("9.00", "12.00") if not row["resource_id"] else ("2.20", "3.30")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    page.get_by_label("CSV file").set_input_files({"name": "summer.csv", "mimeType": "text/csv",
                                                   "buffer": buffer.getvalue().encode()})
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("[data-diff]")
    assert "2 changed, 0 added, 1 removed" in page.locator("[data-counts]").inner_text()
    screenshot("staff-price-list-diff")
    when = (current_now() + timedelta(days=10)).replace(hour=6, minute=0)
    page.get_by_label("Takes effect (UTC)").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_selector("[data-state]")
    assert page.locator("[data-state]").inner_text() == "scheduled"
    assert "e-mailed" in page.locator(".alert-success").inner_text()
    screenshot("staff-price-list-scheduled")

"""A customer administrator changes resource limits in its panel in a real browser: the list,
the detail, a refused amount explained next to its field, the price impact, the confirmation,
and the change request's status updating by itself on the subscription's page."""
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.clock import FixedClock
from app.extensions import db
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import run_request
from tests import factories
from tests.integration.plans.conftest import subscribe  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

APRIL_1, APRIL_13 = datetime(2026, 4, 1, 9), datetime(2026, 4, 13, 15)


def test_a_customer_raises_seats_and_watches_the_vendor_update(app, world, subscribe, live_server, page, screenshot, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(APRIL_13))
    monkeypatch.setitem(app.config, "DEMO_VENDOR_LATENCY", 0.0)
    world.customer.credit_limit = 1_000_000
    db.session.commit()
    subscription = subscribe(APRIL_1, seats=8, payer=world.customer)
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("admin@customer-a.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")

    page.goto(live_server + "/customer/subscriptions")
    screenshot("customer-subscriptions")
    page.get_by_role("link", name="Sync Tool").click()
    page.get_by_role("link", name="Change resource limits").click()
    page.get_by_label("Seats").fill("101")
    page.get_by_role("button", name="Review the price").click()
    seats = page.get_by_label("Seats")
    expect(seats).to_have_attribute("aria-describedby", "qty-seats-error")
    assert page.locator("#qty-seats-error").inner_text() == "Seats: the maximum is 100."
    screenshot("customer-change-refused")

    seats.fill("11")
    page.get_by_role("button", name="Review the price").click()
    expect(page.locator('[data-total="total"]')).to_have_text("$5.94")
    screenshot("customer-change-preview")
    page.get_by_role("button", name="Confirm the change").click()

    history = page.locator("#subscription-provisioning")
    assert history.get_attribute("data-polling") == "on"
    request_id = db.session.scalar(select(FulfillmentRequest.id).where(FulfillmentRequest.subscription_id == subscription.id))
    run_request(request_id, "test:1")
    page.wait_for_selector(f"#fulfillment-{request_id}[data-request-state=completed]", timeout=6000)
    assert history.get_attribute("data-polling") == "off"
    assert page.locator('[data-quantity="seats"]').inner_text() == "11"
    screenshot("customer-subscription-detail")

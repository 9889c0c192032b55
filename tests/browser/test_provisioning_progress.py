"""The order's provisioning progress updates by itself in a real browser (htmx, strict CSP)."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.provisioning.handoff import hand_off
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import run_request
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(page, live_server, world):
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("admin@customer-a.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    return page


def test_the_progress_updates_by_itself_through_a_question_until_ready(app, world, live_server, signed_in, screenshot, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_VENDOR_LATENCY", 0.0)
    page = signed_in
    world.product.connector_settings = {"taken_domains": ["taken.example"]}
    order = factories.make_order(world.customer, [{"plan": world.customer_plan, "parameters": {"domain": "taken.example"}}],
                                 placed_by=world.users.customer)
    hand_off(order)
    db.session.commit()
    request_id = db.session.scalar(select(FulfillmentRequest.id))
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server}/orders/{order.number}")
    line = page.locator(f"#provisioning-line-{request_id}")
    assert line.get_attribute("data-request-state") == "pending"
    run_request(request_id, "test:1")  # the vendor asks about the domain
    page.wait_for_selector(f"#provisioning-line-{request_id}[data-request-state=inquiring]", timeout=6000)
    screenshot("provisioning-question")
    assert "already registered with another account" in line.inner_text()

    page.get_by_label("Domain name").fill("fresh.example")
    page.get_by_role("button", name="Send answer").click()
    page.wait_for_selector(f"#provisioning-line-{request_id}[data-request-state=pending]", timeout=6000)
    run_request(request_id, "test:2")
    page.wait_for_selector(f"#provisioning-line-{request_id}[data-request-state=completed]", timeout=6000)

    assert page.locator("#provisioning-progress").get_attribute("data-polling") == "off"
    assert "Everything in this order is provisioned" in page.locator("#provisioning-progress").inner_text()
    # the order's header badge followed, without reloading the page
    page.wait_for_selector("#order-status-badge [data-status=completed]", timeout=6000)
    assert not [error for error in errors if "Content Security Policy" in error and "script" in error]
    screenshot("provisioning-ready")

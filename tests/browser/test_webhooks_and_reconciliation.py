"""A reseller's administrator registers a webhook endpoint (its secret shown once), sends a
test event and reads the delivery log, then opens the reconciliation page. Screenshots:
reseller-webhook-created, reseller-webhook-log, reseller-reconciliation."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.browser


def test_an_admin_registers_an_endpoint_sends_a_test_event_and_opens_the_reconciliation(app, world, live_server, page, screenshot):
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("admin@reseller.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server + "/reseller/")
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill("https://psa.example.test/hooks/marketplace")
    page.get_by_label("Description (optional)").fill("Autotask")
    page.get_by_label("order.placed: An order was placed").check()
    page.get_by_label("invoice.issued: An invoice was issued").check()
    page.get_by_role("button", name="Add endpoint").click()

    secret = page.get_by_label("Signing secret of https://psa.example.test/hooks/marketplace").input_value()
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert secret == endpoint.secret and secret.startswith("whsec_")
    assert endpoint.event_types == ["invoice.issued", "order.placed"]
    screenshot("reseller-webhook-created")

    page.get_by_role("link", name="https://psa.example.test/hooks/marketplace").click()
    page.get_by_role("button", name="Send test event").click()
    expect(page.locator(".alert").first).to_contain_text("A test event is on its way")
    delivery = db.session.scalar(select(WebhookDelivery))
    assert page.locator(f'[data-delivery="{delivery.id}"] [data-state]').inner_text() == "Pending"
    assert secret not in page.content()
    screenshot("reseller-webhook-log")

    page.get_by_role("link", name="Reconciliation").click()
    expect(page.get_by_role("heading", name="Reconciliation")).to_be_visible()
    assert page.get_by_role("link", name="Download CSV").is_visible()
    screenshot("reseller-reconciliation")

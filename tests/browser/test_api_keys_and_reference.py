"""A reseller administrator creates an API key in the panel (shown once), calls the API with it,
revokes it; the API reference page renders the generated document with the vendored ReDoc."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.browser


def _status(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_reseller_creates_uses_and_revokes_an_api_key(world, live_server, page, screenshot):
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("admin@reseller.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")

    page.goto(live_server + "/reseller/")
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("Autotask sync")
    page.get_by_label("Read and write: also orders, changes, cancellations").check()
    page.get_by_role("button", name="Create the key").click()
    secret = page.get_by_label("The key (read and write)").input_value()
    screenshot("api-key-created")
    assert secret.startswith("mk_")
    assert _status(live_server + "/api/v1/subscriptions", secret) == 200

    page.goto(live_server + "/reseller/api-keys")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke the key Autotask sync").click()
    expect(page.locator('[data-status="revoked"]')).to_have_count(1)  # waits for the page after the POST
    screenshot("api-key-revoked")
    assert _status(live_server + "/api/v1/subscriptions", secret) == 401


def test_the_reference_page_renders_the_document(world, live_server, page, screenshot):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server + "/api/v1/docs")
    page.wait_for_selector("h1:has-text('Marketplace partner API')", timeout=20_000)
    page.get_by_role("heading", name="List subscriptions in scope", exact=False).first.wait_for(state="attached")
    screenshot("api-reference")
    # ReDoc's "powered by" logo points at its CDN: the policy blocks it (nothing leaves the site);
    # everything the page itself needs (its script, styles, worker) is allowed.
    blocked = [error for error in errors if "Content Security Policy" in error]
    assert all("cdn.redoc.ly" in error and "img-src" in error for error in blocked), blocked

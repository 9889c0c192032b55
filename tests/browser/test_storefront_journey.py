import pytest
from playwright.sync_api import expect

from app.core.demo_data import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.browser


def test_visitor_switches_region_opens_a_product_and_switches_plan_tab(app, live_server, page, screenshot):
    # given the demo catalog
    seed_demo()
    # when a visitor opens the storefront
    page.goto(live_server + "/")
    assert page.get_by_role("heading", name="Cloud services, ready to provision").is_visible()
    # and switches the region to the European Union
    page.get_by_label("Region").select_option("EU")
    expect(page.locator("header")).to_contain_text("Prices in EUR")  # the URL stays "/": wait for the text
    # and opens a product from the catalog
    page.get_by_role("link", name="Catalog", exact=True).click()
    page.get_by_role("link", name="IDSync Identity Synchronizer").click()
    expect(page.get_by_role("heading", name="IDSync Identity Synchronizer", level=1)).to_be_visible()
    customer_price = page.locator("[data-price][data-plan=connector-customers]").inner_text()
    assert "€" in customer_price
    screenshot("storefront-product-customers-eu")
    # and switches to the reseller plans
    page.get_by_role("link", name="For resellers").click()
    reseller_price = page.locator("[data-price][data-plan=connector-resellers]").inner_text()
    # then the plan shown and its price change
    assert page.get_by_role("heading", name="IDSync Connector for Resellers").is_visible()
    assert reseller_price != customer_price
    # and switching to the annual term changes the price again
    page.get_by_label("Subscription period").select_option("annual")
    page.wait_for_url("**term=annual**")
    assert page.locator("[data-price][data-plan=connector-resellers]").inner_text() != reseller_price
    screenshot("storefront-product-resellers-annual-eu")


def test_reseller_sees_its_cost_after_signing_in(app, live_server, page, screenshot):
    seed_demo()
    page.goto(live_server + "/products/idsync-identity-synchronizer?audience=reseller")
    retail = page.locator("[data-price][data-plan=connector-resellers]").inner_text()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill("admin@reseller-one.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # back on the product page it came from, now at reseller cost
    page.wait_for_url("**/products/idsync-identity-synchronizer**")
    cost = page.locator("[data-price][data-plan=connector-resellers]").inner_text()
    assert retail == "$49.00" and cost == "$39.20"
    assert "Your reseller cost" in page.locator("header").inner_text()
    screenshot("storefront-reseller-cost")


def test_a_reseller_not_enabled_for_reselling_is_offered_customer_plans_only_after_signing_in(app, live_server, page, screenshot):
    seed_demo()
    page.goto(live_server + "/products/idsync-identity-synchronizer?audience=reseller")
    # a visitor is shown the reseller plans, labelled as such
    expect(page.locator("[data-reseller-plans-note]")).to_contain_text("for resellers' own use")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill("admin@reseller-two.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # back on the product page, it may buy only the customer plan: no reseller tab, no reseller plan
    page.wait_for_url("**/products/idsync-identity-synchronizer**")
    expect(page.locator("[data-price][data-plan=connector-customers]")).to_be_visible()
    expect(page.locator("[data-audience-tab=reseller]")).to_have_count(0)
    expect(page.locator("[data-plan=connector-resellers]")).to_have_count(0)
    screenshot("storefront-reselling-off-product")
    # and the catalog lists neither the Reseller Storefront nor the Reseller services category
    page.get_by_role("link", name="Catalog", exact=True).click()
    page.wait_for_url("**/catalog/")
    expect(page.get_by_role("navigation", name="Categories")).to_be_visible()
    expect(page.get_by_role("navigation", name="Categories").get_by_role("link", name="Reseller services")).to_have_count(0)
    expect(page.get_by_role("link", name="Reseller Storefront")).to_have_count(0)

"""The product page as a person sees it: the running total follows the quantities, the plan
cards fill their row, the region selector is whole at every width, and the site has an icon."""
import pytest
from playwright.sync_api import expect

from app.core.demo_data import seed_demo

pytestmark = pytest.mark.browser

PRODUCT = "/products/idsync-identity-synchronizer"


def _card(page, plan_name: str):
    return page.locator("article.plan-card", has=page.get_by_role("heading", name=plan_name))


def test_the_running_total_follows_quantities_and_add_ons(app, live_server, page, screenshot):
    # Given the demo catalog's IDSync product, for customers, as an anonymous visitor (MSRP)
    seed_demo()
    page.goto(live_server + PRODUCT + "?audience=customer")
    card = _card(page, "IDSync Connector for Customers")
    total = card.locator("[data-total-per-period]")
    once = card.locator("[data-total-once]")
    expect(total).to_have_text("$29.00")  # the plan with its 10 included users
    expect(card.locator("[data-total-once-row]")).to_be_hidden()
    # When the visitor asks for 25 users and a QuickStart service
    card.get_by_label("Synchronised users").fill("25")
    expect(total).to_have_text("$59.00")  # 15 users above the 10 included, at $2.00
    card.get_by_label("Add QuickStart for Autotask billing").check()
    # Then the total shows both, as the server would compute them
    expect(once).to_have_text("$299.00")
    expect(card.locator("[data-total-once-row]")).to_be_visible()
    screenshot("product-total-desktop")
    # And the cart charges what the card said
    card.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart**")
    screenshot("product-total-cart")
    assert page.locator("[data-line-subtotal]").inner_text() == "$358.00"  # $59.00 + $299.00


@pytest.mark.parametrize("width", [390, 1024, 1280])
def test_the_region_selector_is_whole_at_every_width(app, live_server, page, screenshot, width):
    seed_demo()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + PRODUCT)
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    region = page.get_by_label("Region")
    expect(region).to_be_visible()
    box = region.bounding_box()
    fits = region.evaluate("select => select.scrollWidth <= select.clientWidth + 1")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["width"] >= 160 and fits, (box, fits)
    screenshot(f"product-{width}")


def test_the_site_icon_is_linked_and_served(app, live_server, page):
    seed_demo()
    page.goto(live_server + "/")
    icons = page.locator("link[rel=icon]").evaluate_all("links => links.map(link => link.href)")
    assert [icon.rsplit("/", 1)[-1].split("?")[0] for icon in icons] == ["favicon.svg", "favicon.ico"]
    for icon in icons:
        assert page.request.get(icon).status == 200

"""Staff use the back office's catalog with the keyboard and the mouse in a real browser: a term
refused beside its field, then added; the plan published; the queue page (issue 13)."""
import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests import factories

pytestmark = pytest.mark.browser


def test_staff_add_a_term_after_a_refusal_and_publish_the_plan(world, live_server, page, screenshot):
    world.customer_plan.published = False
    db.session.commit()
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("staff@dist.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/**")

    page.goto(f"{live_server}/staff/catalog")
    page.get_by_role("link", name=world.product.name).click()
    screenshot("back-office-catalog-product")
    page.get_by_role("link", name=world.customer_plan.name).click()

    page.get_by_label("Term name").fill("Two years")
    page.get_by_label("Term code").fill("biennial")
    page.get_by_label("Period (months)").fill("24")
    page.get_by_label("Billed every (months)").fill("5")
    page.get_by_role("button", name="Add term").click()
    error = page.locator("#term-billing_frequency_months-errors")
    expect(error).to_be_visible()
    assert error.inner_text().startswith("The billing frequency must divide the period")
    assert page.get_by_label("Billed every (months)").get_attribute("aria-describedby") == "term-billing_frequency_months-errors"
    screenshot("back-office-catalog-term-refused")

    page.get_by_label("Billed every (months)").fill("12")
    page.get_by_role("button", name="Add term").click()
    expect(page.locator(".alert").first).to_contain_text("The term Two years is added")
    page.get_by_role("button", name=f"Publish {world.customer_plan.name}").click()
    expect(page.locator(".alert").first).to_contain_text("is published")
    screenshot("back-office-catalog-plan")

    page.goto(f"{live_server}/staff/queues")
    assert page.get_by_role("heading", name="Queue lengths").is_visible()
    screenshot("back-office-queues")

"""A reseller opens its customer's panel in support mode in a real browser: the banner on every
page, an action recorded "on behalf of", the customer's activity page, ending the session."""
import pytest

from app.extensions import db
from app.core.clock import current_now
from app.plans.lifecycle import activate
from app.plans.models import Subscription, SubscriptionResource
from tests import factories

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")


def test_a_reseller_works_in_its_customers_panel_with_the_banner_and_the_customer_reads_the_log(
        world, live_server, page, screenshot):
    subscription = Subscription(owner_id=world.customer.id, payer_id=world.reseller.id, plan_id=world.customer_plan.id,
                                plan_term_id=world.customer_plan.terms[0].id, marketplace_id=world.us.id, currency="USD",
                                resources=[SubscriptionResource(resource_id=world.seats.id, quantity=8)])
    db.session.add(subscription)
    db.session.flush()
    activate(subscription.id, current_now())
    db.session.commit()

    _sign_in(page, live_server, "admin@reseller.test")
    page.goto(live_server + "/reseller/customers")
    screenshot("support-customers")
    page.locator(f'[data-customer="{world.customer.id}"]').get_by_role("button", name="Open panel as reseller").click()
    page.wait_for_url(live_server + "/customer/")
    banner = page.locator("[data-support-banner]")
    assert "You are in Customer A's panel as reseller Reseller One" in banner.inner_text()
    screenshot("support-banner")

    page.goto(f"{live_server}/customer/subscriptions/{subscription.id}")
    assert page.locator("[data-support-banner]").is_visible()
    page.get_by_role("link", name="Cancel the subscription…").click()  # the confirmation page (issue 15)
    page.get_by_role("button", name="Cancel the subscription").click()
    page.wait_for_url(f"{live_server}/customer/subscriptions/{subscription.id}")
    page.goto(live_server + "/customer/activity")
    assert page.locator('[data-activity="subscription.canceled"][data-on-behalf]').count() == 1
    screenshot("support-activity")
    page.get_by_role("button", name="End support session").click()
    page.wait_for_url(live_server + "/reseller/")
    assert page.locator("[data-support-banner]").count() == 0

    page.context.clear_cookies()  # sign out
    _sign_in(page, live_server, "admin@customer-a.test")
    page.goto(live_server + "/customer/activity")
    assert "Reseller One (admin@reseller.test) on behalf of Customer A" in " ".join(page.locator("[data-on-behalf]").first.inner_text().split())
    assert page.locator("[data-support-banner]").count() == 0
    screenshot("customer-activity")

"""A reseller works with its customers in a real browser: searches the list, creates a customer
(a bad domain first, then fixed), invites its administrators from the customer page.
Screenshots: reseller-customers, reseller-customer-new-error, reseller-customer-users,
reseller-customer-page."""
import pytest
from playwright.sync_api import expect

from app.core.clock import current_now
from app.extensions import db
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


def test_a_reseller_finds_creates_and_opens_a_customer(world, live_server, page, screenshot):
    for owner, seats in ((world.customer, 8), (world.customer, 3), (world.second_customer, 12)):
        subscription = Subscription(owner_id=owner.id, payer_id=world.reseller.id, plan_id=world.customer_plan.id,
                                    plan_term_id=world.customer_plan.terms[0].id, marketplace_id=world.us.id, currency="USD",
                                    resources=[SubscriptionResource(resource_id=world.seats.id, quantity=seats)])
        db.session.add(subscription)
        db.session.flush()
        activate(subscription.id, current_now())
    world.customer.contact_name, world.customer.contact_email = "Ada Lovelace", "ada@customer-a.example"
    world.customer.domain = "customer-a.example"
    db.session.commit()

    _sign_in(page, live_server, "admin@reseller.test")
    page.goto(live_server + "/reseller/")
    page.locator("[data-panel-nav]").get_by_role("link", name="Customers").click()
    page.wait_for_url(live_server + "/reseller/customers")
    row = page.locator(f'[data-customer="{world.customer.id}"]')
    assert row.locator("[data-subscriptions]").inner_text() == "2" and row.locator("[data-seats]").inner_text() == "11"
    screenshot("reseller-customers")
    page.get_by_label("Search by name, contact e-mail or domain").fill("customer-a.exa")
    page.get_by_role("button", name="Search customers").click()
    page.wait_for_url(live_server + "/reseller/customers?q=customer-a.exa")
    expect(page.locator("[data-customer]")).to_have_count(1)

    page.get_by_role("link", name="New customer").click()
    page.get_by_label("Company name").fill("Northwind Traders")
    page.get_by_label("Domain").fill("http://northwind")
    page.get_by_label("Contact name", exact=True).fill("Nora West")
    page.get_by_label("Contact e-mail", exact=True).fill("nora@northwind.example")
    page.get_by_role("button", name="Create the customer").click()
    assert "Enter a domain name such as example.com" in page.locator("#domain-errors").inner_text()
    assert page.get_by_label("Domain").get_attribute("aria-invalid") == "true"
    screenshot("reseller-customer-new-error")
    page.get_by_label("Domain").fill("northwind.example")
    page.get_by_role("button", name="Create the customer").click()
    page.wait_for_url(f"{live_server}/reseller/customers/*")
    assert page.locator("[data-customer-name]").inner_text() == "Northwind Traders"
    assert "The invitation is on its way to nora@northwind.example" in page.locator(".alert-success").inner_text()

    page.locator("[data-tabs]").get_by_role("link", name="Users").click()
    expect(page.locator('[data-user="nora@northwind.example"] [data-status="invited"]')).to_have_count(1)  # the contact
    page.get_by_label("E-mail addresses").fill("it@northwind.example, cfo@northwind.example")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.locator('[data-user="it@northwind.example"] [data-status="invited"]')).to_have_count(1)
    screenshot("reseller-customer-users")

    page.goto(f"{live_server}/reseller/customers/{world.customer.id}")
    expect(page.locator("[data-subscription]")).to_have_count(2)
    assert page.locator("[data-panel-nav]").get_by_role("link", name="Customers").get_attribute("aria-current") == "page"
    assert page.locator('[data-count="seats"]').inner_text() == "11"
    screenshot("reseller-customer-page")

"""A customer's administrator gives a seat to a new colleague (the invitation goes to the
outbox), sees the refusal to lower seats below the assigned ones, and invites a member on the
users page. Screenshots: customer-seats, customer-seats-lowering-refused, customer-users."""
from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.clock import current_now
from app.extensions import db
from app.mail.models import OutboxMessage
from app.plans.lifecycle import activate
from app.plans.models import Subscription, SubscriptionResource
from app.plans.seats import assign_seat
from tests import factories

pytestmark = pytest.mark.browser


def _subscription(world, seats: int) -> Subscription:
    term = world.customer_plan.terms[0]
    subscription = Subscription(owner_id=world.customer.id, payer_id=world.reseller.id, plan_id=world.customer_plan.id,
                                plan_term_id=term.id, marketplace_id=world.us.id, currency="USD",
                                resources=[SubscriptionResource(resource_id=world.seats.id, quantity=seats),
                                           SubscriptionResource(resource_id=world.quickstart.id, quantity=0)])
    db.session.add(subscription)
    db.session.flush()
    activate(subscription.id, datetime(2026, 1, 1))
    return subscription


def _sign_in(page, live_server, email: str) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_assigns_a_seat_to_a_new_colleague_and_invites_a_member(app, world, live_server, page, screenshot):
    world.reseller.credit_limit = 1_000_000
    subscription = _subscription(world, seats=6)
    factories.make_user(world.customer, "colleague@customer-a.test", name="Grace Colleague", role="member")
    for number in range(4):
        user = factories.make_user(world.customer, f"team{number}@customer-a.test", role="member")
        assign_seat(subscription.id, user.email, world.users.customer, current_now())
    db.session.commit()
    _sign_in(page, live_server, "admin@customer-a.test")

    page.goto(f"{live_server}/customer/subscriptions/{subscription.id}")
    screenshot("customer-subscription-with-seats-link")
    page.locator("[data-seats-link]").click()
    for email in ("colleague@customer-a.test", "new.hire@customer-a.test"):
        page.get_by_label("E-mail address").fill(email)
        page.get_by_role("button", name="Assign a seat").click()
        expect(page.locator("[role=status]")).to_contain_text(email)  # the next address goes in the new page's form
    assert page.locator("[data-seat-summary]").inner_text().startswith("6 of 6 seats assigned")
    assert page.locator("[data-seats-full]").is_visible()
    assert "new.hire@customer-a.test and invited" in page.locator("[role=status]").inner_text()
    screenshot("customer-seats")

    page.goto(f"{live_server}/customer/subscriptions/{subscription.id}/change")
    page.locator("input[name=qty-seats]").fill("5")
    page.get_by_role("button", name="Review the price").click()
    expect(page.locator("main")).to_contain_text("6 seats are assigned: unassign seats before lowering to 5.")
    screenshot("customer-seats-lowering-refused")
    page.goto(f"{live_server}/customer/users")
    page.get_by_label("E-mail address").fill("helper@customer-a.test")
    page.get_by_label("Role", exact=True).select_option("member")
    page.get_by_role("button", name="Send the invitation", exact=True).click()
    expect(page.locator('[data-user="helper@customer-a.test"] [data-status]')).to_have_text("Invited")
    screenshot("customer-users")

    db.session.expire_all()
    recipients = set(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "member_invitation")))
    assert {"new.hire@customer-a.test", "helper@customer-a.test", "colleague@customer-a.test"} <= recipients

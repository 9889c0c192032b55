"""Reseller support access through HTTP: a reseller's administrator opens its own customer's
panel "as reseller" (banner on every page), what it does there lands in the customer's activity
log "on behalf of", the session ends by a button or after an hour; nobody else gets in."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.activity import ActivityEntry
from app.extensions import db
from app.plans.models import Subscription
from tests.integration.plans.conftest import subscribe  # noqa: F401  (fixture)
from tests.integration.subscriptions.conftest import FEB_1, FEB_11, clock, confirm, hidden, on_account, review, text_of  # noqa: F401

BANNER = "You are in Customer A's panel as reseller Reseller One"


def _entries(organisation_id: int | None = None) -> list[ActivityEntry]:
    db.session.expire_all()
    statement = select(ActivityEntry).order_by(ActivityEntry.id)
    if organisation_id is not None:
        statement = statement.where(ActivityEntry.organisation_id == organisation_id)
    return list(db.session.scalars(statement))


def _start(client, customer) -> object:
    return client.post(f"/reseller/customers/{customer.id}/support")


def test_the_reseller_lists_its_customers_and_opens_one_panel_with_the_banner(client, auth, world, subscribe, clock):
    mine = subscribe(FEB_1)  # Customer A's
    sibling = subscribe(FEB_1, owner=world.second_customer)
    auth.login("admin@reseller.test")
    listing = text_of(client.get("/reseller/customers"))
    assert "Customer A" in listing and "Customer B" in listing and "Customer Z" not in listing
    assert f'/reseller/customers/{world.customer.id}/support' in listing and "Open panel as reseller" in listing

    started = _start(client, world.customer)

    assert started.status_code == 302 and started.headers["Location"] == "/customer/"
    for url in ("/customer/", "/customer/subscriptions", f"/customer/subscriptions/{mine.id}", "/customer/activity"):
        page = client.get(url)
        assert page.status_code == 200 and BANNER in text_of(page) and "End support session" in text_of(page), url
    overview = text_of(client.get("/customer/subscriptions"))
    assert f'data-subscription="{mine.id}"' in overview and f'data-subscription="{sibling.id}"' not in overview
    assert client.get(f"/customer/subscriptions/{sibling.id}").status_code == 404  # the panel is Customer A's only
    [entry] = _entries(world.customer.id)
    assert (entry.organisation_id, entry.action, entry.actor_user_id, entry.on_behalf_id, entry.created_at) == (
        world.customer.id, "support.started", world.users.reseller.id, world.reseller.id, FEB_11)
    [own] = _entries(world.reseller.id)  # and in the reseller's own log
    assert (own.action, own.actor_user_id, own.on_behalf_id, own.summary) == (
        "support.started", world.users.reseller.id, None, "Support session opened in Customer A's panel by Reseller One")
    assert BANNER not in text_of(client.get("/reseller/"))  # its own panel stays its own


def test_nobody_but_the_customers_own_reseller_admin_opens_support(client, auth, world):
    cases = [("admin@reseller.test", world.foreign_customer, 404),  # another reseller's customer
             ("admin@reseller.test", world.reseller, 404),  # not a customer
             ("admin@other.test", world.customer, 404),
             ("member@reseller.test", world.customer, 403),
             ("staff@dist.test", world.customer, 404),
             ("admin@customer-a.test", world.customer, 404)]
    for email, customer, status in cases:
        auth.login(email)
        assert _start(client, customer).status_code == status, email
        page = client.get("/customer/")
        assert BANNER not in text_of(page) and "data-support-banner" not in text_of(page), email
        auth.logout()
    assert _entries() == []


def test_what_the_reseller_does_in_support_mode_is_recorded_on_behalf_and_the_customer_reads_it(
        client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1)
    auth.login("admin@reseller.test")
    _start(client, world.customer)

    page = review(client, subscription.id, seats=10)
    assert confirm(client, subscription.id, hidden(page.get_data(as_text=True), "fingerprint"), seats=10).status_code == 302
    assert client.post(f"/customer/subscriptions/{subscription.id}/cancel").status_code == 302
    assert client.post(f"/customer/subscriptions/{subscription.id}/resume").status_code == 302
    ended = client.post("/customer/support/end")

    assert ended.status_code == 302 and ended.headers["Location"] == "/reseller/"
    entries = [e for e in _entries() if e.organisation_id == world.customer.id]
    assert [e.action for e in entries] == ["support.started", "subscription.changed", "subscription.canceled",
                                           "subscription.resumed", "support.ended"]
    # the reseller's own log has the same five, by the same user, not on behalf
    mirrored = [e for e in _entries() if e.organisation_id == world.reseller.id]
    assert [(e.action, e.actor_user_id, e.on_behalf_id) for e in mirrored] == [
        (e.action, world.users.reseller.id, None) for e in entries]
    assert {(e.organisation_id, e.actor_user_id, e.on_behalf_id) for e in entries} == {
        (world.customer.id, world.users.reseller.id, world.reseller.id)}
    assert entries[1].summary == "Resource limits of for-customers changed (now): Seats 8 -> 10"
    assert (entries[1].subject_type, entries[1].subject_id) == ("subscription", subscription.id)
    auth.logout()

    auth.login("admin@customer-a.test")
    log = text_of(client.get("/customer/activity"))
    assert log.count("Reseller One (admin@reseller.test) on behalf of Customer A") == 5
    assert "Seats 8 -> 10" in log and "data-support-banner" not in log
    cancelled = text_of(client.get("/customer/activity?action=subscription.canceled"))
    assert cancelled.count('data-activity="') == 1 and 'data-activity="subscription.canceled"' in cancelled
    auth.logout()
    auth.login("admin@customer-b.test")  # another customer's log is not shown to it
    assert 'data-activity="' not in text_of(client.get("/customer/activity"))


def test_the_customers_own_actions_are_not_on_behalf(client, auth, world, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-a.test")
    client.post(f"/customer/subscriptions/{subscription.id}/cancel")
    [entry] = _entries()
    assert (entry.organisation_id, entry.actor_user_id, entry.on_behalf_id, entry.action) == (
        world.customer.id, world.users.customer.id, None, "subscription.canceled")
    log = text_of(client.get("/customer/activity"))
    assert "admin@customer-a.test" in log and "on behalf of" not in log


def test_ending_the_session_returns_to_the_reseller_panel_and_the_customer_panel_is_its_own_again(client, auth, world):
    auth.login("admin@reseller.test")
    _start(client, world.customer)
    ended = client.post("/customer/support/end")
    assert ended.headers["Location"] == "/reseller/"
    assert BANNER not in text_of(client.get("/customer/"))
    assert [(e.action, e.summary) for e in _entries(world.customer.id)] == [
        ("support.started", "Support session opened in Customer A's panel by Reseller One"),
        ("support.ended", "Support session in Customer A's panel ended")]


def test_the_support_session_expires_after_an_hour(client, auth, world, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@reseller.test")
    _start(client, world.customer)
    clock.at(FEB_11 + timedelta(minutes=59))
    assert BANNER in text_of(client.get("/customer/"))

    clock.at(FEB_11 + timedelta(hours=1))
    late = client.post(f"/customer/subscriptions/{subscription.id}/cancel")

    assert late.status_code == 302 and late.headers["Location"] == "/reseller/customers"
    db.session.expire_all()
    assert db.session.get(Subscription, subscription.id).status == "active"  # nothing done for the customer
    expected = [("support.started", "Support session opened in Customer A's panel by Reseller One", FEB_11),
                ("support.ended", "Support session in Customer A's panel expired", FEB_11 + timedelta(hours=1))]
    assert [(e.action, e.summary, e.created_at) for e in _entries(world.customer.id)] == expected
    assert [(e.action, e.summary, e.created_at) for e in _entries(world.reseller.id)] == expected
    assert BANNER not in text_of(client.get("/customer/"))
    assert db.session.scalar(select(func.count(ActivityEntry.id))) == 4


def test_a_grant_left_in_the_browser_by_a_reseller_who_signed_out_means_nothing_to_the_next_user(client, auth, world):
    auth.login("admin@reseller.test")
    _start(client, world.customer)
    client.get("/customer/")  # the flash about it is read
    auth.logout()
    auth.login("admin@customer-b.test")
    page = text_of(client.get("/customer/"))
    assert "data-support-banner" not in page and "support session has ended" not in page and "Customer A" not in page
    assert [e.action for e in _entries(world.customer.id)] == ["support.started"]

"""Destructive actions ask first and say what happens; after a cancel and a resume the buyer
is told what became of the scheduled decrease; every page words a subscription's status the
same way, and the summary cards count as the table shows (issue 15, items 3 and 4)."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.plans.changes import schedule_decrease
from app.plans.models import ScheduledChange, Subscription
from tests import factories
from tests.integration.subscriptions.conftest import FEB_1, FEB_11, text_of


def _state(subscription) -> tuple:
    db.session.expire_all()
    return (db.session.get(Subscription, subscription.id).status,
            tuple(db.session.scalars(select(ScheduledChange.status).order_by(ScheduledChange.id))))


def _flash(page: str) -> list[str]:
    """The flashed messages of a page, but the sign-in greeting."""
    shown = [" ".join(re.sub(r"<button.*?</button>", "", text, flags=re.S).split())
             for text in re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page, re.S)]
    return [text for text in shown if not text.startswith("Signed in as")]


def _decreased(subscription, world):
    schedule_decrease(subscription.id, {world.seats.id: 6}, FEB_11)
    db.session.commit()


def test_cancelling_shows_a_confirmation_first_that_says_what_happens(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1)
    _decreased(subscription, world)
    auth.login("admin@customer-a.test")

    detail = text_of(client.get(f"/customer/subscriptions/{subscription.id}"))
    assert f'href="/customer/subscriptions/{subscription.id}/cancel">Cancel the subscription…</a>' in detail
    assert f'action="/customer/subscriptions/{subscription.id}/cancel"' not in detail  # no one-click cancel
    assert "It also drops the decrease scheduled for 01 March 2026." in detail

    confirm = client.get(f"/customer/subscriptions/{subscription.id}/cancel")

    text = " ".join(text_of(confirm).split())
    assert confirm.status_code == 200
    assert ">Cancel for-customers for Customer A?</h1>" in text
    assert "It stays active until 01 March 2026, then it ends and is not renewed." in text
    assert "You can resume it until 01 March 2026." in text
    assert ("The decrease scheduled for 01 March 2026 (Seats 8 → 6) is dropped, and a resume does not bring it back."
            in text)
    assert f'<form method="post" action="/customer/subscriptions/{subscription.id}/cancel"' in text
    assert "Keep the subscription" in text
    assert _state(subscription) == ("active", ("scheduled",))  # asking changed nothing


def test_after_a_cancel_and_a_resume_the_flash_tells_what_became_of_the_scheduled_decrease(
        client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1)
    _decreased(subscription, world)
    auth.login("admin@customer-a.test")

    cancelled = client.post(f"/customer/subscriptions/{subscription.id}/cancel", follow_redirects=True)

    assert _flash(text_of(cancelled)) == [
        "The subscription is cancelled: it stays active until 01 March 2026 and can be resumed until then. "
        "The decrease scheduled for 01 March 2026 is dropped."]
    assert _state(subscription) == ("canceled", ("dropped",))

    resumed = client.post(f"/customer/subscriptions/{subscription.id}/resume", follow_redirects=True)

    assert _flash(text_of(resumed)) == [
        "The subscription is active again and renews as normal. The decrease scheduled for 01 March 2026 was dropped "
        "by the cancellation and stays dropped: change the resource limits to schedule it again."]
    assert _state(subscription) == ("active", ("dropped",))


def test_without_a_scheduled_decrease_the_flashes_say_only_what_happened(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-a.test")
    page = " ".join(text_of(client.get(f"/customer/subscriptions/{subscription.id}/cancel")).split())
    assert "is dropped" not in page and "It stays active until 01 March 2026" in page

    cancelled = client.post(f"/customer/subscriptions/{subscription.id}/cancel", follow_redirects=True)
    resumed = client.post(f"/customer/subscriptions/{subscription.id}/resume", follow_redirects=True)

    assert _flash(text_of(cancelled)) == [
        "The subscription is cancelled: it stays active until 01 March 2026 and can be resumed until then."]
    assert _flash(text_of(resumed)) == ["The subscription is active again and renews as normal."]


def test_withdrawing_a_decrease_asks_first(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1)
    _decreased(subscription, world)
    auth.login("admin@reseller.test")
    detail = text_of(client.get(f"/reseller/subscriptions/{subscription.id}"))
    assert f'href="/reseller/subscriptions/{subscription.id}/scheduled-change/withdraw">Withdraw the decrease…</a>' in detail

    confirm = " ".join(text_of(client.get(f"/reseller/subscriptions/{subscription.id}/scheduled-change/withdraw")).split())

    assert ("From 01 March 2026 the subscription keeps its current amounts (Seats 8 instead of 6) and renews at their "
            "price.") in confirm
    assert _state(subscription) == ("active", ("scheduled",))
    withdrawn = client.post(f"/reseller/subscriptions/{subscription.id}/scheduled-change/withdraw", follow_redirects=True)
    assert _flash(text_of(withdrawn)) == ["The decrease scheduled for 01 March 2026 is withdrawn: nothing changes at the "
                                          "next period."]
    assert _state(subscription) == ("active", ("dropped",))


def test_a_confirmation_with_nothing_left_to_confirm_goes_back_to_the_subscription(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-a.test")
    client.post(f"/customer/subscriptions/{subscription.id}/cancel")

    again = client.get(f"/customer/subscriptions/{subscription.id}/cancel")
    withdraw = client.get(f"/customer/subscriptions/{subscription.id}/scheduled-change/withdraw")

    assert (again.status_code, again.headers["Location"]) == (302, f"/customer/subscriptions/{subscription.id}")
    assert (withdraw.status_code, withdraw.headers["Location"]) == (302, f"/customer/subscriptions/{subscription.id}")
    assert _state(subscription) == ("canceled", ())


def test_a_member_sees_no_confirmation_page(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1)
    factories.make_user(on_account.customer, "member@customer-a.test", role="member")
    db.session.commit()
    auth.login("member@customer-a.test")
    assert client.get(f"/customer/subscriptions/{subscription.id}/cancel").status_code in (403, 404)
    assert _state(subscription) == ("active", ())


def _badges(page: str) -> dict[str, str]:
    """subscription id -> the status badge of its row."""
    rows = re.findall(r'<tr data-subscription="(\d+)">(.*?)</tr>', page, re.S)
    return {int(sid): re.search(r'data-status="([a-z_]+)">([^<]*)<', row).groups() for sid, row in rows}


def test_each_status_has_its_own_label_and_the_cards_count_as_the_table(client, auth, on_account, subscribe, clock):
    world = on_account
    active = subscribe(FEB_1, seats=8)
    scheduled = subscribe(FEB_1, seats=10, owner=world.second_customer)
    _decreased(scheduled, world)
    canceled = subscribe(FEB_1, seats=6)
    paid = factories.make_order(world.reseller, [{"plan": world.customer_plan, "beneficiary": world.customer}])
    paid.payment_method, paid.payment_status = "on_account", "invoiced"
    unpaid = factories.make_order(world.reseller, [{"plan": world.customer_plan, "beneficiary": world.customer}])
    unpaid.payment_method, unpaid.payment_status = "card", "unpaid"
    db.session.commit()
    auth.login("admin@reseller.test")
    client.post(f"/reseller/subscriptions/{canceled.id}/cancel")

    page = text_of(client.get("/reseller/subscriptions"))

    assert _badges(page) == {
        active.id: ("active", "Active"),
        scheduled.id: ("change_scheduled", "Change scheduled for 01 March 2026"),
        canceled.id: ("canceled", "Canceled"),
        paid.lines[0].subscription_id: ("pending", "Provisioning"),
        unpaid.lines[0].subscription_id: ("awaiting_payment", "Awaiting payment"),
    }
    # the "Active" card counts both active rows, the one with a scheduled change included
    assert re.findall(r'data-count="(\w+)">(\d+)<', page) == [("total", "5"), ("active", "2"), ("canceled", "1"),
                                                             ("seats", "34")]
    detail = text_of(client.get(f"/reseller/subscriptions/{scheduled.id}"))
    assert 'data-status="change_scheduled">Change scheduled for 01 March 2026<' in detail
    order_page = text_of(client.get(f"/orders/{unpaid.number}"))
    assert 'data-status="awaiting_payment">Awaiting payment<' in order_page
    assert 'data-status="pending">Provisioning<' in text_of(client.get(f"/orders/{paid.number}"))

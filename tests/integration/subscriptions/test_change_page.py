"""The change-resource-limits page through HTTP: increases through the checkout, decreases
scheduled and withdrawn, cancel and resume, and every refusal leaving nothing changed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.billing.models import Invoice
from app.extensions import db
from app.orders.models import Order
from app.plans.models import ScheduledChange, Subscription
from app.provisioning.models import FulfillmentRequest
from tests.integration.subscriptions.conftest import FEB_1, confirm, hidden, review, text_of


def _seats(subscription, world) -> int:
    db.session.expire_all()
    return db.session.get(Subscription, subscription.id).quantity_of(world.seats.id)


def _counts():
    return tuple(db.session.scalar(select(func.count(model.id))) for model in (Order, Invoice, FulfillmentRequest, ScheduledChange))


def test_a_customer_adds_seats_pays_pro_rata_and_the_vendor_gets_a_change_request(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-a.test")

    page = review(client, subscription.id, seats=10)
    text = text_of(page)
    assert page.status_code == 200
    assert "18 of 28 days left" in text and "$3.86" in text  # 2 seats x $3.00 x 18/28 = $3.857 -> $3.86
    assert "Your cost" not in text and "$2.57" not in text  # the reseller's cost stays private
    assert "Added units apply at once and are charged for the days left" in text

    done = confirm(client, subscription.id, hidden(page.get_data(as_text=True), "fingerprint"), seats=10)

    assert done.status_code == 302 and _seats(subscription, world) == 10
    shown = text_of(client.get(done.headers["Location"]))
    assert "Change confirmed: $3.86 before tax, billed through your reseller." in shown and "$2.83" not in shown
    order = db.session.scalar(select(Order))
    # the reseller pays: its cost 2 x 200 x 18/28 = 257.14 -> 257, tax 10 % = 25.7 -> 26
    assert (order.buyer_id, order.subtotal, order.tax, order.total, order.lines[0].kind) == (world.reseller.id, 257, 26, 283, "change")
    assert (order.lines[0].quantities, order.lines[0].previous_quantities) == (
        {"seats": 10, "quickstart": 0}, {"seats": 8, "quickstart": 0})
    invoice = db.session.scalar(select(Invoice))
    assert (invoice.organisation_id, invoice.total, invoice.status, invoice.payment_method) == (world.reseller.id, 283, "open", "on_account")
    request = db.session.scalar(select(FulfillmentRequest))
    assert (request.type, request.order_line_id, request.subscription_id) == ("change", order.lines[0].id, subscription.id)
    assert confirm(client, subscription.id, "0" * 64, seats=10).status_code == 302  # the same form again: no second order
    assert _counts()[:3] == (1, 1, 1)


def test_a_reseller_sees_its_cost_and_margin(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@reseller.test")
    text = text_of(review(client, subscription.id, seats=10, panel="reseller"))
    assert "Your cost" in text and "$2.57" in text and "$1.29" in text  # 386 - 257
    assert "Invoiced to Reseller One" in text and "$2.83" in text  # 257 + 26 tax


def test_a_decrease_is_scheduled_shown_as_change_scheduled_and_withdrawn(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1)
    auth.login("admin@reseller.test")
    page = review(client, subscription.id, seats=6, panel="reseller")
    assert "1 Mar 2026" in text_of(page) and "$0.00" in text_of(page)

    done = confirm(client, subscription.id, hidden(page.get_data(as_text=True), "fingerprint"), seats=6, panel="reseller")

    assert done.status_code == 302 and _seats(subscription, world) == 8
    assert _counts() == (0, 0, 0, 1)
    overview = text_of(client.get("/reseller/subscriptions"))
    assert '<span class="badge text-bg-primary" data-status="change_scheduled">Change scheduled for 01 March 2026</span>' in overview
    detail = text_of(client.get(f"/reseller/subscriptions/{subscription.id}"))
    assert "Pending decrease" in detail and "From 01 March 2026" in detail

    client.post(f"/reseller/subscriptions/{subscription.id}/scheduled-change/withdraw")
    assert db.session.scalar(select(ScheduledChange.status)) == "dropped"
    assert 'data-status="active"' in text_of(client.get("/reseller/subscriptions"))


def test_cancel_at_the_period_end_then_resume(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-a.test")
    assert "stays active until 01 March 2026" in text_of(client.get(f"/customer/subscriptions/{subscription.id}"))

    client.post(f"/customer/subscriptions/{subscription.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Subscription, subscription.id).status == "canceled"
    assert db.session.scalar(select(func.count(FulfillmentRequest.id))) == 0  # the vendor hears of it at expiry
    assert "Resume the subscription" in text_of(client.get(f"/customer/subscriptions/{subscription.id}"))

    client.post(f"/customer/subscriptions/{subscription.id}/resume")
    db.session.expire_all()
    assert db.session.get(Subscription, subscription.id).status == "active"
    assert db.session.scalar(select(FulfillmentRequest.type)) == "resume"


def test_cancelling_within_the_window_ends_now_with_a_credit_note_and_a_cancel_request(
        client, auth, on_account, subscribe, make_plan_with_seats, clock):
    plan = make_plan_with_seats(cancel_policy="window", cancel_window_days=14)
    subscription = subscribe(datetime(2026, 2, 1, 9), plan=plan)
    auth.login("admin@reseller.test")
    client.post(f"/reseller/subscriptions/{subscription.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Subscription, subscription.id).status == "expired"
    credit = db.session.scalar(select(Invoice))
    # the reseller's cost refunded for 18 of 28 days: 800 x 18/28 = 514.29 and 3 seats x 200 x 18/28 = 385.71
    assert (credit.subtotal, credit.tax, credit.total) == (-900, -90, -990)
    assert db.session.scalar(select(FulfillmentRequest.type)) == "cancel"


def test_refusals_show_the_rule_and_change_nothing(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-a.test")
    below = review(client, subscription.id, seats=4)
    assert below.status_code == 400 and "Seats: the minimum is 5." in text_of(below)
    not_number = review(client, subscription.id, seats="ten")
    assert not_number.status_code == 400 and "Seats: enter a whole number." in text_of(not_number)
    unchanged = confirm(client, subscription.id, "f" * 64, seats=8)
    assert unchanged.status_code == 400 and "there is nothing to change" in text_of(unchanged)
    assert _counts() == (0, 0, 0, 0) and subscription.quantity_of(on_account.seats.id) == 8


def test_a_resource_the_customer_may_not_change_and_a_single_user_seat_are_fixed(
        client, auth, on_account, subscribe, make_plan_with_seats, clock):
    world = on_account
    plan = make_plan_with_seats()
    plan.resources[0].customer_changeable = False
    db.session.commit()
    subscription = subscribe(FEB_1, plan=plan)
    auth.login("admin@customer-a.test")
    page = text_of(client.get(f"/customer/subscriptions/{subscription.id}/change"))
    assert "Only your reseller can change this." in page
    forged = review(client, subscription.id, seats=12)  # the fixed field is ignored
    assert forged.status_code == 400 and "there is nothing to change" in text_of(forged)

    plan.kind = "single_user"
    plan.resources[0].customer_changeable = True
    db.session.commit()
    auth.logout()
    auth.login("admin@reseller.test")
    assert "A single-user subscription keeps exactly one seat." in text_of(client.get(f"/reseller/subscriptions/{subscription.id}/change"))
    assert _counts() == (0, 0, 0, 0) and _seats(subscription, world) == 8


def test_another_tenants_subscription_is_not_found(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-b.test")
    assert client.get(f"/customer/subscriptions/{subscription.id}").status_code == 404
    assert client.get(f"/customer/subscriptions/{subscription.id}/change").status_code == 404
    assert client.post(f"/customer/subscriptions/{subscription.id}/cancel").status_code == 404
    db.session.expire_all()
    assert db.session.get(Subscription, subscription.id).status == "active"
    assert f'data-subscription="{subscription.id}"' not in text_of(client.get("/customer/subscriptions"))


def test_a_stale_quote_is_shown_again_with_the_new_price(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1)
    auth.login("admin@customer-a.test")
    page = review(client, subscription.id, seats=10)
    clock.at(datetime(2026, 2, 12, 15))  # a day later: 17 days left, another amount

    stale = confirm(client, subscription.id, hidden(page.get_data(as_text=True), "fingerprint"), seats=10)

    text = text_of(stale)
    assert stale.status_code == 409 and "17 of 28 days left" in text and "$3.64" in text  # 600 x 17/28 = 364.29
    assert "The price of this change has changed" in text
    assert _counts() == (0, 0, 0, 0) and _seats(subscription, world) == 8
    again = confirm(client, subscription.id, hidden(stale.get_data(as_text=True), "fingerprint"), seats=10)
    assert again.status_code == 302 and _seats(subscription, world) == 10


def test_the_overview_counts_live_subscriptions_and_seats(client, auth, on_account, subscribe, clock):
    world = on_account
    subscribe(FEB_1, seats=8)
    subscribe(FEB_1, seats=10, owner=world.second_customer)
    subscribe(FEB_1, seats=20, owner=world.foreign_customer, payer=world.other_reseller)
    auth.login("admin@reseller.test")
    text = text_of(client.get("/reseller/subscriptions"))
    assert 'data-count="total">2<' in text and 'data-count="seats">18<' in text and "Customer Z" not in text

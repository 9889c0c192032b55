"""Seat assignment through HTTP (/customer/subscriptions/<id>/seats) and the lifecycle rule that
seats are not lowered below the number assigned, whoever asks."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.mail.models import OutboxMessage
from app.plans import errors
from app.plans.changes import change_context, confirm_change
from app.plans.change_quote import quote_change
from app.plans.models import ScheduledChange, SeatAssignment, Subscription
from app.plans.seats import assign_seat, record_activated_user
from tests import factories
from tests.integration.subscriptions.conftest import FEB_1, FEB_11, review, text_of


def _assigned(subscription) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(User.email).join(SeatAssignment, SeatAssignment.user_id == User.id)
                                   .where(SeatAssignment.subscription_id == subscription.id).order_by(SeatAssignment.id)))


def _fill(subscription, count: int, world) -> None:
    for number in range(count):
        user = factories.make_user(world.customer, f"user{number}@customer-a.test", role="member")
        assign_seat(subscription.id, user.email, world.users.customer, FEB_11)
    db.session.commit()


def test_an_admin_assigns_seats_to_a_user_and_to_a_new_address_then_unassigns_one(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1, seats=8)
    colleague = factories.make_user(world.customer, "colleague@customer-a.test", role="member")
    db.session.commit()
    auth.login("admin@customer-a.test")

    assert "data-seats-link" in text_of(client.get(f"/customer/subscriptions/{subscription.id}"))
    existing = client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "colleague@customer-a.test"})
    invited = client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": " New.Hire@Customer-A.test "})

    assert existing.status_code == invited.status_code == 302
    assert _assigned(subscription) == ["colleague@customer-a.test", "new.hire@customer-a.test"]
    new_user = db.session.scalar(select(User).where(User.email == "new.hire@customer-a.test"))
    assert (new_user.organisation_id, new_user.role, new_user.is_enabled) == (world.customer.id, "member", False)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "new.hire@customer-a.test"))
    assert mail.kind == "member_invitation" and "/invitations/" in mail.body
    assert mail.subject == f"A {subscription.plan.name} seat is yours at Customer A"
    page = text_of(client.get(f"/customer/subscriptions/{subscription.id}/seats"))
    assert '<span data-assigned>2</span> of <span data-seats>8</span> seats assigned' in page
    assert 'data-seat="new.hire@customer-a.test"' in page and "Invited" in page

    seat = db.session.scalar(select(SeatAssignment.id).where(SeatAssignment.user_id == colleague.id))
    freed = client.post(f"/customer/subscriptions/{subscription.id}/seats/{seat}/unassign")

    assert freed.status_code == 302 and _assigned(subscription) == ["new.hire@customer-a.test"]


def test_no_more_seats_are_assigned_than_the_subscription_has(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1, seats=5)
    _fill(subscription, 5, world)
    auth.login("admin@customer-a.test")

    refused = client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "sixth@customer-a.test"})

    assert refused.status_code == 409
    assert "All 5 seats are assigned: unassign a seat or raise the seats first." in text_of(refused)
    assert len(_assigned(subscription)) == 5
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "sixth@customer-a.test")) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_seat_twice_and_an_address_of_another_organisation_are_refused(client, auth, on_account, subscribe, clock):
    subscription = subscribe(FEB_1, seats=8)
    auth.login("admin@customer-a.test")
    client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "admin@customer-a.test"})

    twice = client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "admin@customer-a.test"})
    foreign = client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "admin@customer-b.test"})

    assert twice.status_code == 409 and "admin@customer-a.test has a seat of this subscription already." in text_of(twice)
    assert foreign.status_code == 409 and "admin@customer-b.test already has an account with another organisation." in text_of(foreign)
    assert _assigned(subscription) == ["admin@customer-a.test"]


def test_seats_are_not_lowered_below_the_assigned_ones_through_the_service(on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1, seats=8)
    _fill(subscription, 7, world)
    context = change_context(db.session.get(Subscription, subscription.id), FEB_11)

    with pytest.raises(errors.SeatsAssigned) as refused:
        quote_change(context, {world.seats.id: 6}, FEB_11)
    with pytest.raises(errors.SeatsAssigned):
        confirm_change(subscription.id, {world.seats.id: 6}, "0" * 64, FEB_11)

    assert refused.value.message == "7 seats are assigned: unassign seats before lowering to 6."
    assert refused.value.resource_code == "seats"
    db.session.rollback()
    assert quote_change(context, {world.seats.id: 7}, FEB_11).lines[0].new == 7  # down to the assigned ones is fine
    assert db.session.scalar(select(func.count(ScheduledChange.id))) == 0


def test_seats_are_not_lowered_below_the_assigned_ones_through_the_page(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1, seats=8)
    _fill(subscription, 7, world)
    auth.login("admin@reseller.test")  # the reseller panel gets the same rule

    page = review(client, subscription.id, seats=6, panel="reseller")

    assert page.status_code == 400
    assert "7 seats are assigned: unassign seats before lowering to 6." in text_of(page)
    assert db.session.scalar(select(func.count(ScheduledChange.id))) == 0


def test_while_a_decrease_is_pending_no_more_seats_are_assigned_than_it_leaves(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1, seats=8)
    _fill(subscription, 5, world)
    context = change_context(db.session.get(Subscription, subscription.id), FEB_11)
    confirm_change(subscription.id, {world.seats.id: 5}, quote_change(context, {world.seats.id: 5}, FEB_11).fingerprint, FEB_11)
    db.session.commit()
    auth.login("admin@customer-a.test")

    refused = client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "sixth@customer-a.test"})

    assert refused.status_code == 409
    assert "All 5 seats are assigned (a decrease is scheduled)" in text_of(refused)


def test_members_see_the_seats_but_cannot_assign_or_unassign(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1, seats=8)
    factories.make_user(world.customer, "member@customer-a.test", role="member")
    _fill(subscription, 1, world)
    seat = db.session.scalar(select(SeatAssignment.id))
    auth.login("member@customer-a.test")

    page = client.get(f"/customer/subscriptions/{subscription.id}/seats")
    assign = client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "x@customer-a.test"})
    unassign = client.post(f"/customer/subscriptions/{subscription.id}/seats/{seat}/unassign")

    assert page.status_code == 200 and "Assign a seat" not in text_of(page)
    assert (assign.status_code, unassign.status_code) == (403, 403)
    assert _assigned(subscription) == ["user0@customer-a.test"]


def test_another_customers_subscription_and_seat_are_not_found(client, auth, on_account, subscribe, clock):
    world = on_account
    subscription = subscribe(FEB_1, seats=8)
    _fill(subscription, 1, world)
    seat = db.session.scalar(select(SeatAssignment.id))
    auth.login("admin@customer-b.test")

    answers = [client.get(f"/customer/subscriptions/{subscription.id}/seats").status_code,
               client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "b@customer-b.test"}).status_code,
               client.post(f"/customer/subscriptions/{subscription.id}/seats/{seat}/unassign").status_code]

    assert answers == [404, 404, 404]
    assert _assigned(subscription) == ["user0@customer-a.test"]


def test_a_single_user_subscription_shows_the_user_it_was_activated_for(client, auth, on_account, subscribe, clock):
    world = on_account
    world.customer_plan.kind = "single_user"
    subscription = subscribe(FEB_1, seats=1)
    record_activated_user(subscription, world.users.customer, FEB_1)
    db.session.commit()
    auth.login("admin@customer-a.test")

    page = text_of(client.get(f"/customer/subscriptions/{subscription.id}/seats"))
    refused = client.post(f"/customer/subscriptions/{subscription.id}/seats", data={"email": "other@customer-a.test"})

    assert "Activated for" in page and "admin@customer-a.test" in page and "Assign a seat" not in page
    assert refused.status_code == 409 and "A single-user subscription has one seat" in text_of(refused)

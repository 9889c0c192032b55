"""The customer panel's users page (/customer/users) and a user's own profile through HTTP:
invitations (mail, accept, resend, revoke, expiry), roles, removal, the last-administrator and
not-yourself rules, isolation between customers, and members who may only look."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.accounts.models import User
from app.core.clock import FixedClock
from app.extensions import db
from app.mail.models import OutboxMessage
from tests import factories

NOW = datetime(2026, 3, 2, 10)


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _invitation_links(email: str) -> list[str]:
    bodies = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id))
    return [re.search(r"http://127\.0\.0\.1:5000(/invitations/\S+)", body).group(1) for body in bodies]


def _admin_count(world) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.organisation_id == world.customer.id, User.role == "admin",
                                                               User.removed_at.is_(None)))


def test_an_admin_invites_an_administrator_who_accepts_through_the_mailed_link(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    auth.login("admin@customer-a.test")

    sent = client.post("/customer/users/invite", data={"email": "Second.Admin@customer-a.test", "role": "admin"})

    assert sent.status_code == 302
    invited = _user("second.admin@customer-a.test")
    assert (invited.organisation_id, invited.role, invited.is_enabled, invited.invited_at) == (world.customer.id, "admin", False, NOW)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "second.admin@customer-a.test"))
    assert (mail.kind, mail.subject) == ("member_invitation", "You are invited to Customer A")
    assert "invited you to Customer A as an administrator" in mail.body
    listing = client.get("/customer/users").get_data(as_text=True)
    assert 'data-user="second.admin@customer-a.test"' in listing and 'data-status="invited"' in listing
    auth.logout()

    (link,) = _invitation_links("second.admin@customer-a.test")
    accepted = client.post(link, data={"new_password": "Second-admin-2026", "confirm_password": "Second-admin-2026"})

    assert accepted.status_code == 302 and _user("second.admin@customer-a.test").is_enabled


def test_resend_replaces_the_link_revoke_kills_it_and_an_old_invitation_shows_expired(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    auth.login("admin@customer-a.test")
    client.post("/customer/users/invite", data={"email": "new@customer-a.test", "role": "member"})
    user = _user("new@customer-a.test")
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW + timedelta(days=15)))
    assert 'data-status="invitation expired"' in client.get("/customer/users").get_data(as_text=True)

    assert client.post(f"/customer/users/{user.id}/resend").status_code == 302
    first, second = _invitation_links("new@customer-a.test")
    assert 'data-status="invited"' in client.get("/customer/users").get_data(as_text=True)
    assert client.get(first).headers["Location"] == "/sign-in"  # the previous link no longer works
    assert client.get(second).status_code == 200

    assert client.post(f"/customer/users/{user.id}/revoke").status_code == 302
    assert client.get(second).headers["Location"] == "/sign-in"
    assert _user("new@customer-a.test").removed_at is not None
    assert 'data-user="new@customer-a.test"' not in client.get("/customer/users").get_data(as_text=True)


def test_inviting_an_existing_user_or_another_organisations_address_is_refused(client, auth, world):
    factories.make_user(world.customer, "colleague@customer-a.test", role="member")
    db.session.commit()
    auth.login("admin@customer-a.test")

    here = client.post("/customer/users/invite", data={"email": "colleague@customer-a.test", "role": "admin"})
    elsewhere = client.post("/customer/users/invite", data={"email": "admin@customer-b.test", "role": "member"})

    assert here.status_code == 409 and "colleague@customer-a.test is already a user of Customer A." in here.get_data(as_text=True)
    assert elsewhere.status_code == 409
    assert "admin@customer-b.test already has an account with another organisation." in elsewhere.get_data(as_text=True)
    assert _user("colleague@customer-a.test").role == "member" and _user("admin@customer-b.test").organisation_id == world.second_customer.id
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_roles_change_but_never_the_last_administrator_nor_ones_own(client, auth, world):
    colleague = factories.make_user(world.customer, "colleague@customer-a.test", role="member")
    db.session.commit()
    me = world.users.customer
    auth.login("admin@customer-a.test")

    promoted = client.post(f"/customer/users/{colleague.id}/role", data={f"u{colleague.id}-role": "admin"})
    own = client.post(f"/customer/users/{me.id}/role", data={f"u{me.id}-role": "member"})

    assert promoted.status_code == 302 and _user("colleague@customer-a.test").role == "admin"
    assert own.status_code == 409 and "You cannot change your own role: ask another administrator." in own.get_data(as_text=True)
    assert _user("admin@customer-a.test").role == "admin"
    auth.logout()

    auth.login("colleague@customer-a.test")
    client.post(f"/customer/users/{me.id}/role", data={f"u{me.id}-role": "member"})  # now colleague is the only admin
    auth.logout()
    auth.login("admin@customer-a.test")
    assert client.post("/customer/users/invite", data={"email": "x@customer-a.test", "role": "member"}).status_code == 403
    auth.logout()
    auth.login("colleague@customer-a.test")
    alone = client.post(f"/customer/users/{colleague.id}/remove")
    assert alone.status_code == 409 and "You cannot remove yourself" in alone.get_data(as_text=True)
    assert _admin_count(world) == 1


def test_the_last_administrator_is_neither_demoted_nor_removed(client, auth, world):
    from app.accounts.members import LastAdministrator, change_role, remove_member

    other_admin = factories.make_user(world.customer, "other@customer-a.test", role="admin")
    db.session.commit()
    auth.login("admin@customer-a.test")
    assert client.post(f"/customer/users/{other_admin.id}/remove").status_code == 302
    assert _admin_count(world) == 1
    lone = _user("admin@customer-a.test")
    for refuse in (lambda: change_role(world.customer, lone.id, "member", other_admin),
                   lambda: remove_member(world.customer, lone.id, other_admin, NOW)):
        try:
            refuse()
        except LastAdministrator as refused:
            assert refused.message == ("admin@customer-a.test is the last administrator of Customer A: "
                                       "make another user an administrator first.")
        else:
            raise AssertionError("the last administrator was demoted or removed")
        db.session.rollback()
    assert _user("admin@customer-a.test").role == "admin" and _user("admin@customer-a.test").removed_at is None


def test_a_removed_user_can_no_longer_sign_in_and_leaves_its_seats(client, auth, world):
    from app.core.clock import current_now
    from app.plans.models import SeatAssignment, SubscriptionResource
    from app.plans.seats import assign_seat

    colleague = factories.make_user(world.customer, "colleague@customer-a.test", role="member")
    subscription = factories.make_subscription(world.customer, world.customer_plan, payer=world.reseller)
    subscription.resources.append(SubscriptionResource(resource_id=world.seats.id, quantity=5))
    db.session.flush()
    assign_seat(subscription.id, colleague.email, world.users.customer, current_now())
    db.session.commit()
    auth.login("admin@customer-a.test")

    removed = client.post(f"/customer/users/{colleague.id}/remove")

    assert removed.status_code == 302
    assert db.session.scalar(select(func.count(SeatAssignment.id))) == 0
    auth.logout()
    assert auth.login("colleague@customer-a.test").status_code == 401


def test_members_see_the_users_but_cannot_invite_change_or_remove(client, auth, world):
    member = factories.make_user(world.customer, "member@customer-a.test", role="member")
    db.session.commit()
    admin = world.users.customer
    auth.login("member@customer-a.test")

    page = client.get("/customer/users")
    answers = [client.post("/customer/users/invite", data={"email": "x@customer-a.test", "role": "admin"}).status_code,
               client.post(f"/customer/users/{admin.id}/role", data={f"u{admin.id}-role": "member"}).status_code,
               client.post(f"/customer/users/{admin.id}/remove").status_code]

    assert page.status_code == 200 and "Invite a user" not in page.get_data(as_text=True)
    assert answers == [403, 403, 403]
    assert _user("admin@customer-a.test").role == "admin" and _user("x@customer-a.test") is None
    assert member.role == "member"


def test_another_customers_user_ids_are_not_found(client, auth, world):
    stranger = world.users.second_customer
    auth.login("admin@customer-a.test")

    answers = [client.post(f"/customer/users/{stranger.id}/{action}").status_code for action in ("resend", "revoke", "remove")]
    answers.append(client.post(f"/customer/users/{stranger.id}/role", data={f"u{stranger.id}-role": "member"}).status_code)

    assert answers == [404, 404, 404, 404]
    assert "admin@customer-b.test" not in client.get("/customer/users").get_data(as_text=True)
    assert _user("admin@customer-b.test").removed_at is None


def test_the_list_shows_the_last_sign_in_and_a_user_edits_its_own_name(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    auth.login("admin@customer-a.test")
    assert "02 Mar 2026 10:00" in client.get("/customer/users").get_data(as_text=True)

    saved = client.post("/account/profile", data={"name": "  Ada Admin "})
    blank = client.post("/account/profile", data={"name": "   "})

    assert saved.status_code == 302 and _user("admin@customer-a.test").name == "Ada Admin"
    assert blank.status_code == 400 and _user("admin@customer-a.test").name == "Ada Admin"
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'value="Ada Admin"' in page and 'href="/account/password"' in page

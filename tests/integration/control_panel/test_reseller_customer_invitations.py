"""A reseller invites its customer's administrators from the customer page (one or several
addresses, mailed links that set the password, resend, revoke, expiry), logged in both activity
logs; and the reseller's own users page (/reseller/users), the same implementation as the
customer panel's: invite, roles, removal, the last administrator kept, members refused."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.accounts.activity import ActivityEntry
from app.accounts.models import User
from app.core.clock import FixedClock
from app.extensions import db
from app.mail.models import OutboxMessage
from tests import factories
from tests.integration.subscriptions.conftest import text_of

NOW = datetime(2026, 3, 2, 10)


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _links(email: str) -> list[str]:
    bodies = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id))
    return [re.search(r"http://127\.0\.0\.1:5000(/invitations/\S+)", body).group(1) for body in bodies]


def _users_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(User.id)))


def _invite(client, customer, emails: str):
    return client.post(f"/reseller/customers/{customer.id}/users/invite", data={"emails": emails})


def test_the_reseller_invites_several_administrators_who_accept_through_their_links(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    auth.login("admin@reseller.test")

    sent = _invite(client, world.customer, "Ann@customer-a.test, bob@customer-a.test\nann@customer-a.test")

    assert sent.status_code == 302 and sent.headers["Location"] == f"/reseller/customers/{world.customer.id}/users"
    for email in ("ann@customer-a.test", "bob@customer-a.test"):
        invited = _user(email)
        assert (invited.organisation_id, invited.role, invited.is_enabled, invited.invited_at) == (
            world.customer.id, "admin", False, NOW)
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == email))
        assert (mail.kind, mail.subject) == ("member_invitation", "You are invited to Customer A")
    customer_log = db.session.scalars(select(ActivityEntry).where(ActivityEntry.organisation_id == world.customer.id)
                                      .order_by(ActivityEntry.id)).all()
    assert [(e.action, e.summary, e.on_behalf_id, e.actor_user_id) for e in customer_log] == [
        ("invitation.sent", "ann@customer-a.test invited as an administrator", world.reseller.id, world.users.reseller.id),
        ("invitation.sent", "bob@customer-a.test invited as an administrator", world.reseller.id, world.users.reseller.id)]
    reseller_log = db.session.scalars(select(ActivityEntry.summary).where(ActivityEntry.organisation_id == world.reseller.id)).all()
    assert "Customer A: ann@customer-a.test invited as an administrator" in reseller_log
    listing = text_of(client.get(f"/reseller/customers/{world.customer.id}/users"))
    assert 'data-user="ann@customer-a.test"' in listing and 'data-status="invited"' in listing
    auth.logout()

    (link,) = _links("ann@customer-a.test")
    accepted = client.post(link, data={"new_password": "Ann-admin-2026-x", "confirm_password": "Ann-admin-2026-x"})

    assert accepted.status_code == 302 and _user("ann@customer-a.test").is_enabled
    assert auth.login("ann@customer-a.test", "Ann-admin-2026-x").status_code == 302
    assert 'data-user="bob@customer-a.test"' in text_of(client.get("/customer/users"))


def test_one_bad_address_refuses_the_whole_batch(client, auth, world):
    auth.login("admin@reseller.test")
    before = _users_count()

    taken = _invite(client, world.customer, "new@customer-a.test, admin@customer-b.test")
    invalid = _invite(client, world.customer, "new@customer-a.test; nobody@")
    empty = _invite(client, world.customer, "  ")
    too_many = _invite(client, world.customer, ",".join(f"u{n}@customer-a.test" for n in range(21)))

    assert taken.status_code == 409 and "admin@customer-b.test already has an account with another organisation" in text_of(taken)
    assert invalid.status_code == 422 and "nobody@ is not a valid e-mail address" in text_of(invalid)
    assert empty.status_code == 422 and "Enter at least one e-mail address." in text_of(empty)
    assert too_many.status_code == 422 and "Invite at most 20 addresses at once." in text_of(too_many)
    assert _users_count() == before and db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_resend_replaces_the_link_revoke_kills_it_and_old_invitations_show_expired(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    auth.login("admin@reseller.test")
    _invite(client, world.customer, "late@customer-a.test")
    user = _user("late@customer-a.test")
    base = f"/reseller/customers/{world.customer.id}/users"

    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW + timedelta(days=15)))
    assert 'data-status="invitation expired"' in text_of(client.get(base))
    assert client.post(f"{base}/{user.id}/resend").status_code == 302
    first, second = _links("late@customer-a.test")
    assert first != second and 'data-status="invited"' in text_of(client.get(base))

    assert client.post(f"{base}/{user.id}/revoke").status_code == 302
    assert _user("late@customer-a.test").removed_at is not None
    auth.logout()
    dead = client.get(second, follow_redirects=True)
    assert "This invitation was used already" in text_of(dead) or "not valid" in text_of(dead)
    actions = db.session.scalars(select(ActivityEntry.action).where(ActivityEntry.organisation_id == world.customer.id)
                                 .order_by(ActivityEntry.id)).all()
    assert actions == ["invitation.sent", "invitation.sent", "invitation.revoked"]


def test_invitations_of_other_tenants_and_members_writes_are_refused(client, auth, world):
    auth.login("admin@customer-b.test")
    client.post("/customer/users/invite", data={"email": "guest@customer-b.test", "role": "member"})
    guest = _user("guest@customer-b.test")
    auth.logout()

    auth.login("admin@other.test")
    assert _invite(client, world.customer, "x@customer-a.test").status_code == 404
    assert client.post(f"/reseller/customers/{world.second_customer.id}/users/{guest.id}/revoke").status_code == 404
    auth.logout()
    auth.login("admin@reseller.test")  # its own customer, but the invitation is another customer's
    assert client.post(f"/reseller/customers/{world.customer.id}/users/{guest.id}/revoke").status_code == 404
    assert client.post(f"/reseller/customers/{world.customer.id}/users/{guest.id}/resend").status_code == 404
    auth.logout()
    auth.login("member@reseller.test")
    assert 'data-user="admin@customer-a.test"' in text_of(client.get(f"/reseller/customers/{world.customer.id}/users"))
    assert _invite(client, world.customer, "x@customer-a.test").status_code == 403
    assert client.post(f"/reseller/customers/{world.second_customer.id}/users/{guest.id}/revoke").status_code == 403
    assert _user("x@customer-a.test") is None and _user("guest@customer-b.test").removed_at is None


# --- the reseller's own users --------------------------------------------------------------


def test_the_reseller_invites_its_own_users_changes_roles_and_removes_them(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    auth.login("admin@reseller.test")

    invited = client.post("/reseller/users/invite", data={"email": "Sales@Reseller.test", "role": "admin"})

    sales = _user("sales@reseller.test")
    assert invited.status_code == 302 and invited.headers["Location"] == "/reseller/users"
    assert (sales.organisation_id, sales.role, sales.is_enabled) == (world.reseller.id, "admin", False)
    assert db.session.scalar(select(OutboxMessage.subject).where(OutboxMessage.recipient == "sales@reseller.test")) == \
        "You are invited to Reseller One"
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.organisation_id == world.reseller.id))
    assert (entry.action, entry.on_behalf_id) == ("invitation.sent", None)
    page = text_of(client.get("/reseller/users"))
    assert 'data-user="sales@reseller.test"' in page and 'data-user="member@reseller.test"' in page
    assert "admin@customer-a.test" not in page

    member = world.users.reseller_member
    promoted = client.post(f"/reseller/users/{member.id}/role", data={f"u{member.id}-role": "admin"})
    assert promoted.status_code == 302 and _user("member@reseller.test").role == "admin"
    removed = client.post(f"/reseller/users/{member.id}/remove")
    assert removed.status_code == 302 and _user("member@reseller.test").removed_at is not None
    assert 'data-user="member@reseller.test"' not in text_of(client.get("/reseller/users"))


def test_the_last_reseller_administrator_is_never_removed_or_demoted(client, auth, world):
    second = User(email="second@reseller.test", organisation_id=world.reseller.id, role="admin", is_enabled=True)
    second.set_password(factories.PASSWORD)
    db.session.add(second)
    db.session.commit()
    auth.login("second@reseller.test")
    assert client.post(f"/reseller/users/{world.users.reseller.id}/role",
                       data={f"u{world.users.reseller.id}-role": "member"}).status_code == 302
    auth.logout()
    auth.login("admin@reseller.test")  # now a member: it may only look
    assert client.post(f"/reseller/users/{second.id}/remove").status_code == 403
    auth.logout()
    auth.login("second@reseller.test")

    own_demotion = client.post(f"/reseller/users/{second.id}/role", data={f"u{second.id}-role": "member"})
    own_removal = client.post(f"/reseller/users/{second.id}/remove")

    assert own_demotion.status_code == 409 and own_removal.status_code == 409
    assert (_user("second@reseller.test").role, _user("second@reseller.test").removed_at) == ("admin", None)


def test_members_of_the_reseller_look_but_cannot_act_and_other_tenants_users_are_not_found(client, auth, world):
    auth.login("member@reseller.test")
    page = text_of(client.get("/reseller/users"))
    assert 'data-user="admin@reseller.test"' in page and "Invite a user" not in page
    assert client.post("/reseller/users/invite", data={"email": "x@reseller.test", "role": "admin"}).status_code == 403
    assert client.post(f"/reseller/users/{world.users.reseller.id}/remove").status_code == 403
    auth.logout()

    auth.login("admin@reseller.test")
    for action in ("resend", "revoke", "remove"):
        assert client.post(f"/reseller/users/{world.users.other_reseller.id}/{action}").status_code == 404
        assert client.post(f"/reseller/users/{world.users.customer.id}/{action}").status_code == 404
    assert _user("x@reseller.test") is None and _user("admin@other.test").removed_at is None

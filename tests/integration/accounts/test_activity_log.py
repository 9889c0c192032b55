"""The activity log's services: ``record_activity`` (who, on whose behalf, when) and the writes
that record themselves today: an order placed and an invitation sent."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from app.accounts.activity import ActivityEntry, record_activity
from app.extensions import db
from app.mail import notices
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import LineRequest
from app.provisioning.handoff import hand_off
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import run_request
from tests import factories as f

NOW = datetime(2026, 5, 1, 12, 0)


def _entries() -> list[ActivityEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(ActivityEntry).order_by(ActivityEntry.id)))


def test_record_activity_says_on_behalf_only_for_an_actor_of_another_organisation(world):
    users = world.users
    own = record_activity(world.customer.id, "seat.assigned", "Seat of Sync Tool to a@b.test", actor=users.customer,
                          subject=world.customer, now=NOW)
    helped = record_activity(world.customer.id, "seat.assigned", "Seat of Sync Tool to c@d.test", actor=users.reseller, now=NOW)
    system = record_activity(world.customer.id, "invitation.sent", "Invitation sent", now=NOW)
    db.session.commit()
    # the reseller's act is in the customer's log on behalf, and in the reseller's own log
    assert [(e.organisation_id, e.actor_user_id, e.on_behalf_id, e.subject_type, e.subject_id, e.created_at) for e in _entries()] == [
        (world.customer.id, users.customer.id, None, "organisation", world.customer.id, NOW),
        (world.customer.id, users.reseller.id, world.reseller.id, "", None, NOW),
        (world.reseller.id, users.reseller.id, None, "", None, NOW),
        (world.customer.id, None, None, "", None, NOW)]
    assert [e.summary for e in _entries()][1:3] == ["Seat of Sync Tool to c@d.test", "Customer A: Seat of Sync Tool to c@d.test"]
    assert (own.action_label, helped.action_label, system.action_label) == ("seat.assigned", "seat.assigned", "Invitation sent")


def test_an_order_placed_is_recorded_once_in_the_buyers_log(world):
    f.make_billing_info(world.reseller)
    world.reseller.credit_limit = 1_000_000
    db.session.commit()
    term = next(t for t in world.reseller_plan.terms if t.code == "monthly")
    lines = [LineRequest(term.id, quantities={"seats": 6})]
    preview = prepare(world.reseller, world.us, lines)
    request = CheckoutRequest(world.reseller, world.users.reseller, world.us, lines, uuid.uuid4().hex,
                              preview.quote.fingerprint, frozenset(t.token for t in preview.terms))
    order = place_order(request, NOW)
    place_order(request, NOW)  # the same form again: the same order, nothing more recorded
    [entry] = _entries()
    assert (entry.organisation_id, entry.action, entry.actor_user_id, entry.on_behalf_id, entry.subject_id, entry.created_at) == (
        world.reseller.id, "order.placed", world.users.reseller.id, None, order.id, NOW)
    assert entry.summary.startswith(f"Order {order.number} placed: ")


def test_the_invitation_of_a_new_customers_administrator_is_recorded_in_its_log(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_VENDOR_LATENCY", 0.0)
    newco = f.make_customer(world.reseller, name="Newco Ltd", marketplace=world.us)
    order = f.make_order(world.reseller, [{"plan": world.customer_plan, "beneficiary": newco}], placed_by=world.users.reseller)
    order.lines[0].admin_email = "boss@newco.example"
    hand_off(order)
    db.session.commit()
    request = db.session.scalar(select(FulfillmentRequest))
    assert run_request(request.id, "test:1") == "done"
    notices.subscription_ready(request, request.subscription, "admin@reseller.test", NOW)  # told twice: recorded once
    db.session.commit()
    [entry] = [e for e in _entries() if e.action == "invitation.sent"]
    assert (entry.organisation_id, entry.actor_user_id, entry.on_behalf_id, entry.subject_type) == (newco.id, None, None, "user")
    assert entry.summary == "Invitation as administrator sent to boss@newco.example (for-customers)"


def test_an_order_for_customers_is_recorded_in_the_buyers_log_and_in_each_customers_with_the_new_ones_creation(world):
    from app.orders.lines import Beneficiary

    f.make_billing_info(world.reseller)
    world.reseller.credit_limit = 1_000_000
    db.session.commit()
    term = next(t for t in world.customer_plan.terms if t.code == "monthly")
    lines = [LineRequest(term.id, quantities={"seats": 6}, beneficiary=Beneficiary.customer(world.customer.id)),
             LineRequest(term.id, quantities={"seats": 7}, beneficiary=Beneficiary.new_customer("Newco Ltd", "boss@newco.example"))]
    preview = prepare(world.reseller, world.us, lines)
    request = CheckoutRequest(world.reseller, world.users.reseller, world.us, lines, uuid.uuid4().hex,
                              preview.quote.fingerprint, frozenset(t.token for t in preview.terms))
    order = place_order(request, NOW)
    newco = next(line.beneficiary for line in order.lines if line.beneficiary.name == "Newco Ltd")
    entries = _entries()
    assert [(e.organisation_id, e.action, e.actor_user_id, e.on_behalf_id, e.subject_id) for e in entries] == [
        (world.reseller.id, "customer.created", world.users.reseller.id, None, newco.id),
        (world.reseller.id, "order.placed", world.users.reseller.id, None, order.id),
        (world.customer.id, "order.placed", world.users.reseller.id, world.reseller.id, order.id),
        (newco.id, "order.placed", world.users.reseller.id, world.reseller.id, order.id)]
    assert entries[0].summary == "Customer account Newco Ltd created"
    assert entries[2].summary == f"Order {order.number} placed by Reseller One for you: {order.lines[0].description}"
    assert entries[3].summary == f"Order {order.number} placed by Reseller One for you: {order.lines[1].description}"


def test_managing_users_is_recorded_in_the_organisations_log(world):
    from app.accounts import members

    admin = world.users.reseller
    invited = members.invite_member(world.reseller, "New.Admin@Reseller.test", "admin", NOW, actor=admin).user
    members.resend_invitation(world.reseller, invited.id, NOW, actor=admin)
    members.revoke_invitation(world.reseller, invited.id, NOW, actor=admin)
    members.change_role(world.reseller, world.users.reseller_member.id, "admin", admin)
    members.change_role(world.reseller, world.users.reseller_member.id, "admin", admin)  # no change: nothing recorded
    members.remove_member(world.reseller, world.users.reseller_member.id, admin, NOW)
    db.session.commit()
    assert [(e.organisation_id, e.action, e.actor_user_id, e.summary) for e in _entries()] == [
        (world.reseller.id, "invitation.sent", admin.id, "new.admin@reseller.test invited as an administrator"),
        (world.reseller.id, "invitation.sent", admin.id, "Invitation resent to new.admin@reseller.test"),
        (world.reseller.id, "invitation.revoked", admin.id, "Invitation of new.admin@reseller.test revoked"),
        (world.reseller.id, "user.role_changed", admin.id, "Role of member@reseller.test changed from member to admin"),
        (world.reseller.id, "user.removed", admin.id, "member@reseller.test removed")]

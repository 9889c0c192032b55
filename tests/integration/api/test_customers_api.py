"""/api/v1/customers: a reseller creates a customer through the panel's service
(``create_customer``: contact, domain, marketplace, billing contact, duplicates refused) and
invites administrators through the panel's (``send_invitations``: e-mail and both activity
logs); refusals are problem documents with the panel's messages and change nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.accounts.activity import ActivityEntry
from app.accounts.models import Organisation, User
from app.api import openapi_document
from app.core.clock import FixedClock
from app.extensions import db
from app.mail.models import OutboxMessage
from tests import factories
from tests.integration.api.contract import violations

NOW = datetime(2026, 3, 2, 10)
NEW = {"name": "  Newco   Ltd ", "contact_name": "Nora New", "contact_email": "Nora@Newco.example",
       "domain": "NewCo.example", "billing_contact_name": "Bill Payer", "billing_contact_email": "bills@newco.example",
       "admin_email": "Boss@Newco.example"}


def _customers_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Organisation.id)).where(Organisation.kind == "customer"))


def _post(api, body, key: str | None = None):
    return api.post("/api/v1/customers", json=body, headers={"Idempotency-Key": key} if key else None)


def test_creates_the_customer_as_the_panel_does_and_invites_its_administrator(app, world, api_as, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    europe = factories.make_marketplace("EU", "EUR")
    db.session.commit()

    answer = _post(api_as(world.users.reseller), {**NEW, "marketplace_id": europe.id})

    assert answer.status_code == 201, answer.get_data(as_text=True)
    created = db.session.get(Organisation, answer.json["id"])
    assert answer.headers["Location"] == f"/api/v1/customers/{created.id}"
    assert {name: value for name, value in answer.json.items() if name not in ("id", "administrator")} == {
        "name": "Newco Ltd", "contact_name": "Nora New", "contact_email": "nora@newco.example", "domain": "newco.example",
        "marketplace_id": europe.id, "billing_contact_name": "Bill Payer", "billing_contact_email": "bills@newco.example",
        "created_at": "2026-03-02T10:00:00Z"}
    assert (created.parent_id, created.kind) == (world.reseller.id, "customer")
    boss = db.session.scalar(select(User).where(User.email == "boss@newco.example"))
    assert answer.json["administrator"] == {"user_id": boss.id, "email": "boss@newco.example", "role": "admin",
                                            "invited_at": "2026-03-02T10:00:00Z"}
    assert (boss.organisation_id, boss.is_enabled) == (created.id, False)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "boss@newco.example"))
    assert (mail.kind, mail.subject) == ("member_invitation", "You are invited to Newco Ltd")
    reseller_log = db.session.scalars(select(ActivityEntry.summary).where(ActivityEntry.organisation_id == world.reseller.id)
                                      .order_by(ActivityEntry.id)).all()
    assert reseller_log[-2:] == ["Customer account Newco Ltd created",
                                 "Newco Ltd: boss@newco.example invited as an administrator"]
    assert violations(app, openapi_document(), "POST", "/api/v1/customers", answer) == []


def test_defaults_to_the_resellers_marketplace_and_the_contact_as_billing_contact(world, api_as):
    answer = _post(api_as(world.users.reseller), {"name": "Plain", "contact_name": "Pat", "contact_email": "pat@plain.example"})

    assert answer.status_code == 201
    assert (answer.json["marketplace_id"], answer.json["domain"], answer.json["billing_contact_name"],
            answer.json["billing_contact_email"], answer.json["administrator"]) == (
        world.reseller.marketplace_id, "", "Pat", "pat@plain.example", None)
    fetched = api_as(world.users.reseller, "read").get(f"/api/v1/customers/{answer.json['id']}")
    assert fetched.json == {name: value for name, value in answer.json.items() if name != "administrator"}


def test_a_name_or_domain_the_reseller_has_already_answers_409_with_the_panels_message(app, world, api_as):
    api = api_as(world.users.reseller)
    assert _post(api, {**NEW, "admin_email": ""}).status_code == 201
    before = _customers_count()

    same_name = _post(api, {**NEW, "name": "newco ltd", "domain": "", "admin_email": "other@newco.example"})
    same_domain = _post(api, {**NEW, "name": "Newco Two", "domain": "newco.example."})

    assert (same_name.status_code, same_name.mimetype) == (409, "application/problem+json")
    assert same_name.json["detail"] == "You already have a customer named newco ltd."
    assert same_name.json["errors"] == {"json": {"name": ["You already have a customer named newco ltd."]}}
    assert same_domain.status_code == 409
    assert same_domain.json["detail"] == "Another of your customers already has the domain newco.example."
    assert _customers_count() == before
    assert db.session.scalar(select(User).where(User.email == "other@newco.example")) is None
    assert violations(app, openapi_document(), "POST", "/api/v1/customers", same_name) == []


def test_invalid_values_answer_422_naming_the_field_and_write_nothing(app, world, api_as):
    api = api_as(world.users.reseller)
    before = _customers_count()
    cases = {
        "contact_email": ({"contact_email": "not-an-address"}, "Enter a valid e-mail address, such as name@example.com."),
        "domain": ({"domain": "http://newco.example/x"}, "Enter a domain name such as example.com (without http:// or a path)."),
        "marketplace_id": ({"marketplace_id": 999999}, "Choose a marketplace."),
        "contact_name": ({"contact_name": "   "}, "Enter the contact's name."),
        "billing_contact_email": ({"billing_contact_email": "nope"}, "Enter a valid e-mail address, such as name@example.com."),
    }

    for field, (change, message) in cases.items():
        answer = _post(api, {**NEW, **change})
        assert (answer.status_code, answer.mimetype) == (422, "application/problem+json"), field
        assert (answer.json["detail"], answer.json["errors"]) == (message, {"json": {field: [message]}})
        assert violations(app, openapi_document(), "POST", "/api/v1/customers", answer) == []
    missing = _post(api, {"name": "No contact"})
    assert missing.status_code == 422 and set(missing.json["errors"]["json"]) == {"contact_name", "contact_email"}
    assert _customers_count() == before


def test_a_refused_invitation_leaves_no_customer(world, api_as):
    before = _customers_count()

    answer = _post(api_as(world.users.reseller), {**NEW, "admin_email": "admin@customer-z.test"})

    assert answer.status_code == 409
    assert answer.json["detail"] == "admin@customer-z.test already has an account with another organisation."
    assert _customers_count() == before


def test_only_a_reseller_creates_customers(world, api_as):
    before = _customers_count()

    answer = _post(api_as(world.users.customer), NEW)

    assert (answer.status_code, answer.json["detail"]) == (403, "Only a reseller can create customer accounts.")
    assert _customers_count() == before


def test_a_retried_create_with_the_same_key_makes_one_customer(world, api_as):
    api = api_as(world.users.reseller)

    first, again = _post(api, NEW, key="create-newco-1"), _post(api, NEW, key="create-newco-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.name == "Newco Ltd")) == 1


def test_inviting_an_administrator_goes_through_the_panels_invitations(world, api_as):
    api = api_as(world.users.reseller)

    answer = api.post(f"/api/v1/customers/{world.customer.id}/administrators", json={"email": "Ann@customer-a.test"})
    again = api.post(f"/api/v1/customers/{world.customer.id}/administrators", json={"email": "ann@customer-a.test"})
    bad = api.post(f"/api/v1/customers/{world.customer.id}/administrators", json={"email": "ann"})

    assert answer.status_code == 201 and answer.json["email"] == "ann@customer-a.test"
    assert (again.status_code, again.json["detail"]) == (409, "ann@customer-a.test is invited already: resend the invitation instead.")
    assert (bad.status_code, bad.json["detail"]) == (
        422, "ann is not a valid e-mail address: enter addresses such as name@example.com.")
    assert "Customer A: ann@customer-a.test invited as an administrator" in db.session.scalars(
        select(ActivityEntry.summary).where(ActivityEntry.organisation_id == world.reseller.id)).all()
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == "ann@customer-a.test")) == 1

"""/api/v1/customers: a reseller's customers (list, create, get) and the invitation of their
administrators. The same services as the reseller panel: ``app.accounts.customers.create_customer``
(checks, duplicate names and domains under a lock, the activity log) and
``app.control_panel.team.send_invitations`` (``invite_member``, its e-mail and the logs); their
refusals answer as problem documents with the panel's messages (``errors`` names the field)."""
from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from flask import url_for
from sqlalchemy import select

from app.accounts import customers as customer_accounts
from app.accounts.access import acting_organisation
from app.accounts.customers import MAX_DOMAIN_LENGTH, MAX_NAME_LENGTH, CustomerRefused, NewCustomer
from app.accounts.models import Organisation, OrganisationKind, Role, User
from app.api.common import ListArgs, UtcDateTime, list_schema, page
from app.api.errors import abort_api, problem_response, refusal_response
from app.api.framework import IDEMPOTENCY_PARAMETER, acting_user, api_blueprint
from app.control_panel.team import send_invitations
from app.core.clock import current_now
from app.extensions import db

bp = api_blueprint("customers", "/customers", "A reseller's customers and their administrators.")
MAX_EMAIL_LENGTH = 254


class CustomerSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    contact_name = ma.fields.String(required=True)
    contact_email = ma.fields.String(required=True)
    domain = ma.fields.String(required=True, metadata={"description": "Its internet domain; empty if none."})
    marketplace_id = ma.fields.Integer(required=True, allow_none=True)
    billing_contact_name = ma.fields.String(required=True)
    billing_contact_email = ma.fields.String(required=True)
    created_at = UtcDateTime(required=True)


CUSTOMER_FIELDS = ("id", "name", "contact_name", "contact_email", "domain", "marketplace_id", "billing_contact_name",
                   "billing_contact_email", "created_at")


class AdministratorArgs(ma.Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(1, MAX_EMAIL_LENGTH))


def _text(length: int, description: str, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=length), metadata={"description": description}, **kwargs)


class NewCustomerArgs(ma.Schema):
    """The panel's "New customer" form; the values are checked by ``create_customer``."""

    name = _text(MAX_NAME_LENGTH, "The company name, unique among your customers.", required=True)
    contact_name = _text(MAX_NAME_LENGTH, "Who you deal with at the customer.", required=True)
    contact_email = _text(MAX_EMAIL_LENGTH, "Their e-mail address.", required=True)
    domain = _text(MAX_DOMAIN_LENGTH, "Its internet domain, such as example.com (unique among your customers).")
    marketplace_id = ma.fields.Integer(validate=ma.validate.Range(1, 2**31 - 1),
                                       metadata={"description": "Where it buys; yours when not given."})
    billing_contact_name = _text(MAX_NAME_LENGTH, "Who receives its invoices; the contact when not given.")
    billing_contact_email = _text(MAX_EMAIL_LENGTH, "Their e-mail address; the contact's when not given.")
    admin_email = _text(MAX_EMAIL_LENGTH, "Its first administrator, invited by e-mail (often the contact).")


class InvitationSchema(ma.Schema):
    user_id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    invited_at = UtcDateTime(required=True)


class CreatedCustomerSchema(CustomerSchema):
    administrator = ma.fields.Nested(InvitationSchema, allow_none=True, required=True)


CustomerList = list_schema(CustomerSchema, "CustomerList")


def customer_refused(refusal: CustomerRefused):
    """The refusal's problem document, and the field it is about in ``errors`` (as a body that
    does not validate says it)."""
    response = refusal_response(refusal)
    if refusal.field:
        body = {**response.get_json(force=True), "errors": {"json": {refusal.field: [refusal.message]}}}
        response = problem_response(body)
    return response


bp.register_error_handler(CustomerRefused, customer_refused)


def _invite(customer: Organisation, email: str, now: datetime) -> dict:
    """The panel's invitation of an administrator: the invitation, its e-mail and the logs."""
    (user,) = send_invitations(customer, [email.strip().lower()], Role.ADMIN.value, acting_user(), now)
    return present_invitation(user)


def present_invitation(user: User) -> dict:
    return {"user_id": user.id, "email": user.email, "role": user.role, "invited_at": user.invited_at}


def present_customer(customer: Organisation) -> dict:
    return {name: getattr(customer, name) for name in CUSTOMER_FIELDS}


def _customers():
    return select(Organisation).where(Organisation.parent_id == acting_organisation().id,
                                      Organisation.kind == OrganisationKind.CUSTOMER.value)


def _customer(customer_id: int) -> Organisation:
    customer = db.session.scalar(_customers().where(Organisation.id == customer_id))
    if customer is None:
        abort_api(404, "That customer was not found.")
    return customer


@bp.route("", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, CustomerList)
def list_customers(args):
    """Your customers, in id order (none unless you resell)."""
    rows, has_more = page(_customers(), Organisation.id, args)
    return {"data": [present_customer(customer) for customer in rows], "has_more": has_more}


@bp.route("", methods=["POST"])
@bp.arguments(NewCustomerArgs)
@bp.response(201, CreatedCustomerSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
def create_customer(args):
    """Create a customer (as the panel's "New customer" does), and invite its first administrator when admin_email
    is given. A name or domain one of your customers has already answers 409."""
    now, reseller = current_now(), acting_organisation()
    details = NewCustomer(**{"marketplace_id": reseller.marketplace_id,
                             **{name: value for name, value in args.items() if name != "admin_email"}})
    customer = customer_accounts.create_customer(reseller, details, actor=acting_user(), now=now)
    administrator = _invite(customer, args["admin_email"], now) if args.get("admin_email") else None
    db.session.commit()
    return ({**present_customer(customer), "administrator": administrator}, 201,
            {"Location": url_for(".get_customer", customer_id=customer.id)})


@bp.route("/<int:customer_id>", methods=["GET"])
@bp.response(200, CustomerSchema)
def get_customer(customer_id):
    """One of your customers."""
    return present_customer(_customer(customer_id))


@bp.route("/<int:customer_id>/administrators", methods=["POST"])
@bp.arguments(AdministratorArgs)
@bp.response(201, InvitationSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
def invite_administrator(args, customer_id):
    """Invite an administrator into one of your customers (an e-mail with a link to choose a password)."""
    customer = _customer(customer_id)
    invited = _invite(customer, args["email"], current_now())
    db.session.commit()
    return invited, 201

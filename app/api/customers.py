"""/api/v1/customers: a reseller's customers (list, create, get) and the invitation of their
administrators (``app.accounts.members.invite_member`` and its e-mail, as the panels send it).

Creating a customer uses ``new_customer`` below, the smallest rule it needs (a customer
organisation under the reseller, in its marketplace). The panels' "create customer" service
(``app.accounts.customers.create_customer``) is being written at the same time; when it lands,
``new_customer`` should call it instead."""
from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from flask import url_for
from sqlalchemy import select

from app.accounts.access import acting_organisation
from app.accounts.activity import record_activity
from app.accounts.members import invite_member
from app.accounts.models import Organisation, OrganisationKind, Role
from app.api.common import ListArgs, UtcDateTime, list_schema, page
from app.api.errors import abort_api
from app.api.framework import IDEMPOTENCY_PARAMETER, acting_user, api_blueprint
from app.core.clock import current_now
from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.mail.notices import member_invited

bp = api_blueprint("customers", "/customers", "A reseller's customers and their administrators.")
MAX_NAME = 200


class CustomerSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    created_at = UtcDateTime(required=True)


class AdministratorArgs(ma.Schema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(3, 254))


class NewCustomerArgs(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, MAX_NAME))
    admin_email = ma.fields.Email(validate=ma.validate.Length(3, 254),
                                  metadata={"description": "Its first administrator, invited by e-mail."})


class InvitationSchema(ma.Schema):
    user_id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    invited_at = UtcDateTime(required=True)


class CreatedCustomerSchema(CustomerSchema):
    administrator = ma.fields.Nested(InvitationSchema, allow_none=True, required=True)


CustomerList = list_schema(CustomerSchema, "CustomerList")


class NotAReseller(Refusal):
    kind = RefusalKind.FORBIDDEN
    message = "Only resellers have customers: ask your distributor to enable reselling."


def new_customer(reseller: Organisation, name: str, actor, now: datetime) -> Organisation:
    """A customer organisation of ``reseller`` in its marketplace; flushed, not committed."""
    if not reseller.acts_as_reseller:
        raise NotAReseller()
    name = " ".join(name.split())
    if not name:
        raise Refusal("Give the customer a name.")
    customer = Organisation(name=name, kind=OrganisationKind.CUSTOMER.value, parent_id=reseller.id,
                            marketplace_id=reseller.marketplace_id, created_at=now)
    db.session.add(customer)
    db.session.flush()
    record_activity(reseller.id, "customer.created", f"Customer {name} created", actor=actor, subject=customer, now=now)
    return customer


def _invite(customer: Organisation, email: str, now: datetime) -> dict:
    invitation = invite_member(customer, email, Role.ADMIN, now)
    member_invited(invitation, customer, acting_user(), now)
    user = invitation.user
    return {"user_id": user.id, "email": user.email, "role": user.role, "invited_at": user.invited_at}


def present_customer(customer: Organisation) -> dict:
    return {"id": customer.id, "name": customer.name, "created_at": customer.created_at}


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
    """Create a customer, and invite its first administrator when admin_email is given."""
    now = current_now()
    customer = new_customer(acting_organisation(), args["name"], acting_user(), now)
    administrator = _invite(customer, args["admin_email"], now) if "admin_email" in args else None
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

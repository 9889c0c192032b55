"""Who a reseller's "Create subscription" is for (seed 001): a single-user plan's end user (its
e-mail and an optional display name; a customer account is made for them and the activation
invitation goes to that address), or, for an organisation plan, a new customer (organisation
name and administrator e-mail, invited when provisioned) or one of the reseller's customers.
Reads the form into a ``Beneficiary``; the checkout's validation decides the rest."""
from __future__ import annotations

from typing import Mapping

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from app.accounts.access import TenantScope
from app.accounts.models import Organisation, OrganisationKind
from app.catalog.models import PlanKind
from app.control_panel.ordering import Recipient
from app.extensions import db
from app.orders.lines import Beneficiary
from app.orders.validation import Problem
from app.core.numbers import whole_number

FIELDS = ("recipient", "customer", "customer_q", "new_customer_name", "new_customer_email", "end_user_email", "end_user_name")
MATCHES = 10


def _id(text: str) -> int | None:
    return whole_number(text)


def read_recipient(values: Mapping, plan) -> tuple[Beneficiary, list[Problem]]:
    """The beneficiary the form names, and the problems of what was typed."""
    if plan.kind == PlanKind.SINGLE_USER.value:
        email, name = str(values.get("end_user_email", "")).strip(), str(values.get("end_user_name", "")).strip()
        problems = []
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            problems.append(Problem("Enter the end user's e-mail address.", "end_user_email"))
        if len(name) > 200:
            problems.append(Problem("The display name has at most 200 characters.", "end_user_name"))
        return Beneficiary.new_customer(name or email, email), problems
    if values.get("recipient") == "existing":
        customer_id = _id(str(values.get("customer", "")))
        if customer_id is None:
            return Beneficiary.self_(), [Problem("Choose the customer the subscription is for.", "beneficiary")]
        return Beneficiary.customer(customer_id), []
    return Beneficiary.new_customer(str(values.get("new_customer_name", "")), str(values.get("new_customer_email", ""))), []


def customer_matches(reseller, values: Mapping) -> dict:
    """The reseller's customers whose name contains ``customer_q`` (at most ``MATCHES``, by
    name), and the one chosen (``customer``) if it is one of them: one query."""
    scope = TenantScope(reseller, customers=False, staff_sees_all=False)
    search = str(values.get("customer_q", "")).strip()[:100]
    chosen = _id(str(values.get("customer", "")))
    statement = select(Organisation).where(Organisation.kind == OrganisationKind.CUSTOMER.value)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        wanted = Organisation.name.ilike(pattern, escape="\\")
        statement = statement.where(wanted | (Organisation.id == chosen) if chosen else wanted)
    rows = list(db.session.scalars(scope.filter(statement.order_by(Organisation.name, Organisation.id).limit(MATCHES + 1),
                                                Organisation.parent_id)))
    return {"customers": rows[:MATCHES], "more_customers": len(rows) > MATCHES, "customer_search": search,
            "chosen_customer": chosen}


def for_reseller(reseller) -> Recipient:
    return Recipient(read_recipient, FIELDS, "control_panel/reseller/ordering/_recipient.html",
                     lambda values: customer_matches(reseller, values))

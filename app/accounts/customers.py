"""A reseller's customer accounts: creating one (the reseller panel's "New customer", and the
API), and the statement the customers list pages.

Guarantees of ``create_customer``: every field is checked before anything is written, and a
refusal (``CustomerRefused``, with the form field to fix) writes nothing; a customer's name and
its domain are unique among the customers of one reseller (compared without case and extra
spaces; the reseller's row is locked while they are checked, so two concurrent creations of
the same name cannot both succeed); the new organisation is a customer of that reseller only.
Nothing is committed here.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, column, func, or_, select, table

from app.accounts.activity import record_activity
from app.accounts.models import Organisation, OrganisationKind, User
from app.accounts.services import normalise_email
from app.core.errors import Refusal, RefusalKind
from app.core.locks import locked_one
from app.extensions import db

MAX_NAME_LENGTH = 200
MAX_DOMAIN_LENGTH = 253
# One DNS label: letters, digits and inner hyphens, 1 to 63 characters (after IDNA encoding).
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# The marketplaces table, read by id only: accounts sits below catalog and does not import it.
_MARKETPLACE = table("marketplace", column("id"))


class CustomerRefused(Refusal):
    """A customer account cannot be created as asked; nothing was written. ``field`` names the
    field to fix (``name``, ``contact_name``, ``contact_email``, ``domain``, ``marketplace_id``,
    ``billing_contact_name``, ``billing_contact_email``), or None."""

    def __init__(self, message: str, field: str | None = None, *, kind: RefusalKind | None = None) -> None:
        super().__init__(message, kind=kind)
        self.field = field


class DuplicateCustomer(CustomerRefused):
    kind = RefusalKind.CONFLICT


@dataclass(frozen=True)
class NewCustomer:
    """What a new customer account needs. ``domain`` and the billing contact are optional
    (empty strings); the billing contact defaults to the contact."""

    name: str
    contact_name: str
    contact_email: str
    marketplace_id: int
    domain: str = ""
    billing_contact_name: str = ""
    billing_contact_email: str = ""


def _text(value: str | None, field: str, label: str, *, required: bool = True) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise CustomerRefused(f"Enter {label}.", field)
    if len(value) > MAX_NAME_LENGTH:
        raise CustomerRefused(f"Use at most {MAX_NAME_LENGTH} characters for {label}.", field)
    return value


def valid_email(value: str | None, field: str, *, required: bool = True) -> str:
    """The address lower-cased, or ``CustomerRefused`` naming ``field``; "" when optional and empty."""
    email = normalise_email(value or "")
    if not email and not required:
        return ""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise CustomerRefused("Enter a valid e-mail address, such as name@example.com.", field) from None
    if len(email) > 254:
        raise CustomerRefused("Enter a valid e-mail address, such as name@example.com.", field)
    return email


def valid_name(value: str | None, field: str = "name") -> str:
    """A customer's name as kept: trimmed, inner spaces collapsed; ``CustomerRefused`` naming
    ``field`` when it is empty or longer than ``MAX_NAME_LENGTH``."""
    return _text(value, field, "the company name")


def normalise_domain(value: str | None) -> str:
    """A domain name as kept: lower case, ASCII (IDNA), without a trailing dot; "" for none.
    Raises ``CustomerRefused`` (field ``domain``) unless it is a syntactically valid name of at
    least two labels, such as ``example.com`` (no scheme, path, port or spaces)."""
    domain = (value or "").strip().lower().rstrip(".")
    if not domain:
        return ""
    refused = CustomerRefused("Enter a domain name such as example.com (without http:// or a path).", "domain")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise refused from None
    labels = domain.split(".")
    if len(domain) > MAX_DOMAIN_LENGTH or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise refused
    if labels[-1].isdigit():  # an IP address is not a domain
        raise refused
    return domain


def name_key(name: str) -> str:
    """What two customer names are compared by: without case and extra spaces ("Contoso  ltd"
    and "contoso Ltd" are the same customer name)."""
    return " ".join(name.split()).lower()


def _siblings(reseller: Organisation) -> tuple:
    return Organisation.parent_id == reseller.id, Organisation.kind == OrganisationKind.CUSTOMER.value


def names_taken(reseller: Organisation, names: Collection[str]) -> frozenset[str]:
    """The ``name_key`` of each of ``names`` one of ``reseller``'s customers has already: one
    query (none without names). Reads only, without the lock ``create_customer`` takes: a
    caller that checks ahead of creating (the checkout) is refused there again if a customer of
    that name was made in between."""
    keys = {name_key(name) for name in names}
    if not keys:
        return frozenset()
    statement = select(func.lower(Organisation.name)).where(*_siblings(reseller), func.lower(Organisation.name).in_(keys))
    return frozenset(db.session.scalars(statement))


def _check_unique(reseller: Organisation, name: str, domain: str) -> None:
    if names_taken(reseller, [name]):
        raise DuplicateCustomer(f"You already have a customer named {name}.", "name")
    siblings = _siblings(reseller)
    if domain and db.session.scalar(select(Organisation.id).where(*siblings, Organisation.domain == domain).limit(1)):
        raise DuplicateCustomer(f"Another of your customers already has the domain {domain}.", "domain")


def create_customer(reseller: Organisation, details: NewCustomer, *, actor: User | None, now: datetime) -> Organisation:
    """Creates a customer organisation of ``reseller`` from ``details`` (flushed, not committed)
    and records "customer.created" in the reseller's activity log, by ``actor``.

    Names are trimmed (inner spaces collapsed), e-mail addresses and the domain lower-cased.
    Raises ``CustomerRefused`` (with ``field``) for a missing or invalid value or a marketplace
    that does not exist, ``DuplicateCustomer`` (409) when the reseller has a customer with the
    same name or domain already, and ``CustomerRefused`` with kind FORBIDDEN when ``reseller``
    is not enabled for reselling. Writes nothing when it raises."""
    if not reseller.acts_as_reseller:
        raise CustomerRefused("Only a reseller can create customer accounts.", kind=RefusalKind.FORBIDDEN)
    name = valid_name(details.name)
    contact_name = _text(details.contact_name, "contact_name", "the contact's name")
    contact_email = valid_email(details.contact_email, "contact_email")
    domain = normalise_domain(details.domain)
    billing_name = _text(details.billing_contact_name, "billing_contact_name", "the billing contact's name",
                         required=False) or contact_name
    billing_email = valid_email(details.billing_contact_email, "billing_contact_email", required=False) or contact_email
    marketplace_id = details.marketplace_id
    if not isinstance(marketplace_id, int) or db.session.scalar(
            select(_MARKETPLACE.c.id).where(_MARKETPLACE.c.id == marketplace_id)) is None:
        raise CustomerRefused("Choose a marketplace.", "marketplace_id")
    locked_one(select(Organisation).where(Organisation.id == reseller.id))
    _check_unique(reseller, name, domain)
    customer = Organisation(name=name, kind=OrganisationKind.CUSTOMER.value, parent_id=reseller.id,
                            marketplace_id=marketplace_id, contact_name=contact_name, contact_email=contact_email,
                            domain=domain, billing_contact_name=billing_name, billing_contact_email=billing_email,
                            created_at=now)
    db.session.add(customer)
    db.session.flush()
    record_activity(reseller.id, "customer.created", f"Customer account {name} created", actor=actor, subject=customer,
                    now=now)
    return customer


SORTS = {
    "name": (func.lower(Organisation.name), Organisation.id),
    "-name": (func.lower(Organisation.name).desc(), Organisation.id.desc()),
    "created": (Organisation.created_at, Organisation.id),
    "-created": (Organisation.created_at.desc(), Organisation.id.desc()),
    "domain": (Organisation.domain, Organisation.id),
    "-domain": (Organisation.domain.desc(), Organisation.id.desc()),
}
DEFAULT_SORT = "name"
MAX_SEARCH_LENGTH = 100


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def customers_listing(reseller: Organisation, search: str = "", sort: str = DEFAULT_SORT) -> Select:
    """The statement of ``reseller``'s customers for a paged list: those whose name, contact
    e-mail or domain contains ``search`` (any case; trimmed, at most 100 characters), in the order
    ``sort`` names (one of ``SORTS``; anything else sorts by name)."""
    statement = select(Organisation).where(Organisation.parent_id == reseller.id,
                                           Organisation.kind == OrganisationKind.CUSTOMER.value)
    search = (search or "").strip()[:MAX_SEARCH_LENGTH]
    if search:
        pattern = _like(search)
        statement = statement.where(or_(*(func.lower(col).like(pattern, escape="\\")
                                          for col in (Organisation.name, Organisation.contact_email, Organisation.domain))))
    return statement.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))

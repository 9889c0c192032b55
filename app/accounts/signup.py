"""Sign-up: an organisation opens its own account, with its first administrator.

The new organisation is a customer of the seller whose storefront the visitor signed up on:
the distributor today (a reseller's white-label storefront passes itself as ``seller``). Its
administrator may browse and fill a cart at once; the checkout waits until the e-mail address
is proven (``app.accounts.verification``, ``app.orders.gates``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.activity import record_activity
from app.accounts.models import Organisation, OrganisationKind, Role, User
from app.accounts.services import PasswordTooWeak, check_password_policy, normalise_email
from app.core.errors import Refusal, RefusalKind
from app.extensions import db

MAX_NAME_LENGTH = 200


class SignUpRefused(Refusal):
    """The sign-up was refused and nothing was written; ``field`` names the form field to fix."""

    def __init__(self, message: str, field: str | None = None, *, kind: RefusalKind | None = None) -> None:
        super().__init__(message, kind=kind)
        self.field = field


class EmailTaken(SignUpRefused):
    kind = RefusalKind.CONFLICT

    def __init__(self) -> None:
        super().__init__("An account with this e-mail address exists already. Sign in, or reset your password.", "email")


class SignUpClosed(SignUpRefused):
    kind = RefusalKind.UNAVAILABLE


@dataclass(frozen=True)
class SignUp:
    """What the sign-up form asks for."""

    organisation_name: str
    name: str
    email: str
    password: str
    marketplace_id: int


def _required(value: str, field: str, label: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise SignUpRefused(f"Enter {label}.", field)
    if len(value) > MAX_NAME_LENGTH:
        raise SignUpRefused(f"Use at most {MAX_NAME_LENGTH} characters for {label}.", field)
    return value


def _valid_email(email: str) -> str:
    email = normalise_email(email or "")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise SignUpRefused("Enter a valid e-mail address.", "email") from None
    if len(email) > 254:
        raise SignUpRefused("Enter a valid e-mail address.", "email")
    return email


def default_seller() -> Organisation | None:
    """Whose customers sign-ups from the marketplace's own storefront become: the distributor."""
    return db.session.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.DISTRIBUTOR.value)
                             .order_by(Organisation.id).limit(1))


def sign_up(details: SignUp, *, min_length: int, now: datetime, seller: Organisation | None = None) -> User:
    """Creates a customer organisation of ``seller`` (default: the distributor) in the chosen
    marketplace and its first administrator with that password, the address not yet verified;
    flushed, not committed. Raises ``SignUpRefused`` (a missing or too long name, an invalid
    address, a weak password: ``PasswordTooWeak``'s reason) or ``EmailTaken``, and writes
    nothing then (a concurrent sign-up with the same address loses on the unique e-mail and is
    rolled back)."""
    organisation_name = _required(details.organisation_name, "organisation_name", "your organisation's name")
    name = _required(details.name, "name", "your name")
    email = normalise_email(details.email or "")
    if email and db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken()
    email = _valid_email(email)
    try:
        check_password_policy(details.password or "", min_length)
    except PasswordTooWeak as weak:
        raise SignUpRefused(str(weak), "password") from None
    seller = seller if seller is not None else default_seller()
    if seller is None or not (seller.is_distributor or seller.acts_as_reseller):
        raise SignUpClosed("Sign-up is not open here. Contact your reseller.")
    # Its contact and billing contact are the person signing up, as a reseller's form would set them.
    organisation = Organisation(name=organisation_name, kind=OrganisationKind.CUSTOMER.value, parent=seller,
                                marketplace_id=details.marketplace_id, contact_name=name, contact_email=email,
                                billing_contact_name=name, billing_contact_email=email, created_at=now)
    user = User(email=email, name=name, organisation=organisation, role=Role.ADMIN.value, is_enabled=True,
                email_verified_at=None, created_at=now)
    user.set_password(details.password)
    db.session.add_all([organisation, user])
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken() from None
    # The seller's log shows the new customer, as it shows one its staff created (by the system:
    # the visitor is not one of the seller's users).
    record_activity(seller.id, "customer.created", f"Customer account {organisation_name} opened by sign-up ({email})",
                    subject=organisation, now=now)
    return user

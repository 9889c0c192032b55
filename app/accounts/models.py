"""Organisations in a tree (distributor -> reseller -> customer), their users and billing details."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, LargeBinary, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.passwords import hash_password, is_usable, unusable_password, verify_password
from app.core.clock import current_now
from app.extensions import db


class OrganisationKind(str, enum.Enum):
    DISTRIBUTOR = "distributor"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class Role(str, enum.Enum):
    ADMIN = "admin"  # may buy, change, invite
    MEMBER = "member"  # may look


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # Only the distributor switches this on; then the organisation acts as a reseller:
    # it buys at reseller cost, sells to customers and reaches the reseller panel.
    reselling_enabled: Mapped[bool] = mapped_column(default=False)
    marketplace_id: Mapped[int | None] = mapped_column(ForeignKey("marketplace.id"))
    # On-account buying: a limit in minor units of the marketplace currency; None = card only.
    credit_limit: Mapped[int | None] = mapped_column()
    # Days after issue an on-account invoice falls due ("net 30"); set by staff.
    payment_terms_days: Mapped[int] = mapped_column(default=30, server_default="30")
    # Who switched reselling on or off last, and when (app.accounts.reselling).
    reselling_changed_at: Mapped[datetime | None] = mapped_column()
    reselling_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", use_alter=True))
    # The reseller's own white-label storefront (seed 003): switched on by provisioning a
    # "Reseller Storefront" subscription, never by hand.
    storefront_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A reseller's customer account (app.accounts.customers): who to talk to, the customer's
    # internet domain (lower case, unique among the reseller's customers) and who receives
    # the invoices. Empty for organisations that signed up by themselves.
    contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    domain: Mapped[str] = mapped_column(String(253), default="", server_default="")
    billing_contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    billing_contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now())

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(back_populates="parent")
    users: Mapped[list[User]] = relationship(back_populates="organisation", foreign_keys="User.organisation_id")
    billing_info: Mapped[BillingInfo | None] = relationship(back_populates="organisation", uselist=False)
    marketplace = relationship("Marketplace")
    reselling_changed_by: Mapped[User | None] = relationship(foreign_keys=[reselling_changed_by_id])

    @property
    def is_distributor(self) -> bool:
        return self.kind == OrganisationKind.DISTRIBUTOR.value

    @property
    def is_customer(self) -> bool:
        return self.kind == OrganisationKind.CUSTOMER.value

    @property
    def acts_as_reseller(self) -> bool:
        return self.kind == OrganisationKind.RESELLER.value and self.reselling_enabled

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # When the user proved the address (a verification, reset or invitation link reached them);
    # None: not yet, and the checkout refuses their orders (app.orders.gates).
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now())
    # The organisation's users page (app.accounts.members): when the pending invitation was
    # sent, the last successful sign-in, and when an administrator removed the user (kept, not
    # deleted: orders and changes name who placed them).
    invited_at: Mapped[datetime | None] = mapped_column()
    last_signed_in_at: Mapped[datetime | None] = mapped_column()
    removed_at: Mapped[datetime | None] = mapped_column()

    organisation: Mapped[Organisation] = relationship(back_populates="users", foreign_keys=[organisation_id])

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled users
        return self.is_enabled

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def set_unusable_password(self) -> None:
        """No password matches any more (and none was hashed): an invited user until it accepts,
        a removed user. A new random marker each time (``app.accounts.passwords``)."""
        self.password_hash = unusable_password()

    @property
    def has_usable_password(self) -> bool:
        return is_usable(self.password_hash)

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class BillingInfo(db.Model):
    """Who is invoiced: required on file before an organisation's first purchase."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    billing_email: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now(), onupdate=current_now)

    organisation: Mapped[Organisation] = relationship(back_populates="billing_info")


class LoginAttempt(db.Model):
    """A throttled attempt, kept in the database so every web process sees the same count: a
    failed sign-in, or any sign-up, password-reset or verification-link request (``action``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(20), default="sign_in", server_default="sign_in", index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    client_address: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(index=True)


class StorefrontEdition(str, enum.Enum):
    FREE = "free"  # the reseller's storefront; customers join by invitation only
    STANDARD = "standard"  # plus self sign-up and a custom domain


class Storefront(db.Model):
    """A reseller's white-label storefront (seed 003): created when a Reseller Storefront
    subscription is provisioned; its branding is set by the reseller (``app.accounts.storefronts``).
    Whether it is open is ``Organisation.storefront_enabled``. The logo is kept here, in the
    database, so every web process serves it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    edition: Mapped[str] = mapped_column(String(20), default=StorefrontEdition.FREE.value)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    tagline: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    primary_colour: Mapped[str] = mapped_column(String(7), default="#0d6efd")
    accent_colour: Mapped[str] = mapped_column(String(7), default="#212529")
    # Lower case, no port; Standard only. Unique: one host serves one storefront.
    custom_domain: Mapped[str | None] = mapped_column(String(253), unique=True)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_content_type: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now())

    organisation: Mapped[Organisation] = relationship()

    @property
    def is_standard(self) -> bool:
        return self.edition == StorefrontEdition.STANDARD.value

    @property
    def name(self) -> str:
        return self.display_name or self.organisation.name

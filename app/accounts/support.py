"""Reseller support access: a reseller's administrator opens one of its customers' panels "as
reseller" for a limited time. The grant is a small value the web layer keeps in the (signed)
session cookie; ``app.accounts.access.acting_organisation`` is the one place that reads it.
Starting and ending are written to the customer's activity log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.activity import record_activity
from app.accounts.models import Organisation, User
from app.core.errors import Refusal, RefusalKind
from app.extensions import db

SUPPORT_SESSION_LENGTH = timedelta(hours=1)


class SupportRefused(Refusal):
    """No support session for this user and customer: a customer of another reseller is simply
    not found, like every other tenant's row."""

    kind = RefusalKind.NOT_FOUND
    message = "There is no such customer."


@dataclass(frozen=True)
class SupportGrant:
    """Who (``user_id`` of reseller ``reseller_id``) may act in customer ``customer_id``'s
    panel, until ``expires_at`` (naive UTC)."""

    customer_id: int
    reseller_id: int
    user_id: int
    expires_at: datetime

    def to_dict(self) -> dict:
        return {"customer": self.customer_id, "reseller": self.reseller_id, "user": self.user_id,
                "expires": self.expires_at.isoformat()}

    @classmethod
    def from_dict(cls, data) -> SupportGrant | None:
        """The grant a session holds, or None for anything malformed."""
        try:
            return cls(int(data["customer"]), int(data["reseller"]), int(data["user"]),
                       datetime.fromisoformat(data["expires"]))
        except (TypeError, KeyError, ValueError):
            return None


def supported_customer(user: User, customer_id: int) -> Organisation:
    """The customer ``user`` may open in support mode: a customer organisation of the reseller
    ``user`` administers. Anything else raises ``SupportRefused`` (404): another reseller's
    customer, a member, staff, an organisation that is not reselling."""
    reseller = user.organisation
    if not (user.is_admin and user.is_active and reseller.acts_as_reseller):
        raise SupportRefused()
    customer = db.session.scalar(select(Organisation).where(
        Organisation.id == customer_id, Organisation.parent_id == reseller.id, Organisation.kind == "customer"))
    if customer is None:
        raise SupportRefused()
    return customer


def start_support(user: User, customer_id: int, now: datetime) -> SupportGrant:
    """Opens a support session of ``SUPPORT_SESSION_LENGTH`` for ``user`` in the customer's
    panel, recorded in the customer's log (not committed). Raises ``SupportRefused`` unless
    ``supported_customer`` allows it."""
    customer = supported_customer(user, customer_id)
    record_activity(customer.id, "support.started",
                    f"Support session opened in {customer.name}'s panel by {user.organisation.name}",
                    actor=user, subject=customer, now=now)
    return SupportGrant(customer.id, user.organisation_id, user.id, now + SUPPORT_SESSION_LENGTH)


def grant_holds(grant: SupportGrant, user: User, now: datetime) -> Organisation | None:
    """The customer of ``grant`` while it holds for ``user`` at ``now`` (not expired, same user,
    still an administrator of the customer's reseller), else None."""
    if grant.user_id != user.id or grant.reseller_id != user.organisation_id or now >= grant.expires_at:
        return None
    try:
        return supported_customer(user, grant.customer_id)
    except SupportRefused:
        return None


def end_support(grant: SupportGrant, user: User, now: datetime, *, expired: bool = False) -> None:
    """Records the end of a support session in the customer's log (not committed); the caller
    forgets the grant."""
    customer = db.session.get(Organisation, grant.customer_id)
    if customer is None:
        return
    how = "expired" if expired else "ended"
    record_activity(customer.id, "support.ended", f"Support session in {customer.name}'s panel {how}",
                    actor=user, subject=customer, now=now)

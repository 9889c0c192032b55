"""The activity log: who did what in an organisation's name, including what a reseller did in
its customer's panel in support mode ("on behalf of").

Services record their writes with ``record_activity``, in the transaction of the change they
log (nothing is committed here), so an entry exists exactly when its change does. The customer
reads its own log at /customer/activity.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.core.clock import current_now
from app.extensions import db

# Action code -> what the filter of the activity page calls it. Codes are dotted
# "<subject>.<verb>"; a code missing here is still recorded and shown, under its code.
ACTIONS: dict[str, str] = {
    "order.placed": "Order placed",
    "subscription.changed": "Resource limits changed",
    "subscription.canceled": "Subscription cancelled",
    "subscription.resumed": "Subscription resumed",
    "subscription.decrease_withdrawn": "Scheduled decrease withdrawn",
    "invitation.sent": "Invitation sent",
    "support.started": "Support session started",
    "support.ended": "Support session ended",
    "api_key.created": "API key created",
    "api_key.revoked": "API key revoked",
    "customer.created": "Customer created",
}


class ActivityEntry(db.Model):
    """One line of ``organisation``'s activity log. ``on_behalf_id`` is the organisation the
    actor belongs to when that is not the log's own (a reseller acting for its customer);
    ``actor_user_id`` is None for what the system did by itself (provisioning, renewals)."""

    __table_args__ = (Index("ix_activity_entry_organisation_created", "organisation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    on_behalf_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(500))
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    actor: Mapped[User | None] = relationship()
    on_behalf: Mapped[Organisation | None] = relationship(foreign_keys=[on_behalf_id])

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def record_activity(organisation_id: int, action: str, summary: str, *, actor: User | None = None,
                    subject: object | None = None, now: datetime | None = None) -> ActivityEntry:
    """Adds an entry to ``organisation_id``'s log (flushed, not committed: it lands with the
    caller's transaction or not at all).

    - ``action``: a dotted code, ideally one of ``ACTIONS`` (``"seat.assigned"``...);
    - ``summary``: what happened, for a person, without the actor (the page adds who);
    - ``actor``: the user who did it (None: the system); when the actor's organisation is not
      ``organisation_id``, the entry says it acted on behalf (``on_behalf_id``): a reseller in
      its customer's panel, or a reseller changing its customer's subscription from its own;
    - ``subject``: the row it is about (any model with an ``id``), kept as its table and id;
    - ``now``: defaults to the app's clock."""
    on_behalf = actor.organisation_id if actor is not None and actor.organisation_id != organisation_id else None
    entry = ActivityEntry(
        organisation_id=organisation_id, actor_user_id=actor.id if actor is not None else None, on_behalf_id=on_behalf,
        action=action, summary=summary[:500],
        subject_type=getattr(subject, "__tablename__", "") if subject is not None else "",
        subject_id=getattr(subject, "id", None) if subject is not None else None,
        created_at=now if now is not None else current_now(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def activity_listing(action: str | None = None):
    """The statement listing activity entries newest first (optionally of one action), with the
    actor and the acting organisation loaded in the same query. The caller limits it to one
    organisation's log through its ``TenantScope`` (owner column ``ActivityEntry.organisation_id``)
    and pages it."""
    statement = (select(ActivityEntry)
                 .options(joinedload(ActivityEntry.actor), joinedload(ActivityEntry.on_behalf))
                 .order_by(ActivityEntry.created_at.desc(), ActivityEntry.id.desc()))
    if action:
        statement = statement.where(ActivityEntry.action == action)
    return statement

"""The activity log: who did what in an organisation's name, including what a reseller did in
its customer's panel in support mode ("on behalf of").

Services record their writes with ``record_activity``, in the transaction of the change they
log (nothing is committed here), so an entry exists exactly when its change does. Each
organisation's log is whole by itself: what a user does in another organisation's name (a
reseller in its customer's panel or on its customer's subscription) is written in that
organisation's log, "on behalf", and also in the actor's own. Each panel reads its own log at
``<panel>/activity`` (``app.control_panel.activity_views``), filtered by ``ActivityFilter``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ForeignKey, Index, String, func, select
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
    "invitation.revoked": "Invitation revoked",
    "customer.created": "Customer account created",
    "user.role_changed": "Role changed",
    "user.removed": "User removed",
    "price.changed": "Customer price changed",
    "billing.updated": "Billing information changed",
    "support.started": "Support session started",
    "support.ended": "Support session ended",
    "invoice.paid": "Invoice marked paid",
    "invoice.voided": "Invoice voided",
    "price.scheduled": "Customer price scheduled",
    "price.withdrawn": "Scheduled price withdrawn",
    "price_list.scheduled": "Price-list version scheduled",
    "price_list.withdrawn": "Price-list version withdrawn",
    "reselling.enabled": "Reselling enabled",
    "reselling.disabled": "Reselling disabled",
    "account_terms.changed": "Credit limit or payment terms changed",
    "storefront.assigned": "Storefront plan assigned by the distributor",
    "api_key.created": "API key created",
    "api_key.revoked": "API key revoked",
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
                    subject: object | None = None, now: datetime | None = None, mirror: bool = True) -> ActivityEntry:
    """Adds an entry to ``organisation_id``'s log (flushed, not committed: it lands with the
    caller's transaction or not at all).

    - ``action``: a dotted code, ideally one of ``ACTIONS`` (``"seat.assigned"``...);
    - ``summary``: what happened, for a person, without the actor (the page adds who);
    - ``actor``: the user who did it (None: the system); when the actor's organisation is not
      ``organisation_id``, the entry says it acted on behalf (``on_behalf_id``): a reseller in
      its customer's panel, or a reseller changing its customer's subscription from its own;
    - ``subject``: the row it is about (any model with an ``id``), kept as its table and id;
    - ``now``: defaults to the app's clock;
    - ``mirror``: an entry on behalf is also written in the actor's own organisation's log (its
      summary led by the name of the organisation it acted for), unless the caller records
      there itself (``False``).

    Returns the entry of ``organisation_id``'s log."""
    on_behalf = actor.organisation_id if actor is not None and actor.organisation_id != organisation_id else None
    when = now if now is not None else current_now()
    entry = _entry(organisation_id, actor, on_behalf, action, summary, subject, when)
    if on_behalf is not None and mirror:
        acted_for = db.session.get(Organisation, organisation_id)
        name = acted_for.name if acted_for is not None else ""
        _entry(on_behalf, actor, None, action, summary if name in summary else f"{name}: {summary}", subject, when)
    db.session.flush()
    return entry


def _entry(organisation_id: int, actor: User | None, on_behalf: int | None, action: str, summary: str,
           subject: object | None, when: datetime) -> ActivityEntry:
    entry = ActivityEntry(
        organisation_id=organisation_id, actor_user_id=actor.id if actor is not None else None, on_behalf_id=on_behalf,
        action=action, summary=summary[:500],
        subject_type=getattr(subject, "__tablename__", "") if subject is not None else "",
        subject_id=getattr(subject, "id", None) if subject is not None else None,
        created_at=when,
    )
    db.session.add(entry)
    return entry


TEXT_MAX = 100


@dataclass(frozen=True)
class ActivityFilter:
    """What an activity page asks for: one ``action`` (a code of ``ACTIONS``), one actor
    (``actor_id``; 0: the system), a range of days (``since``..``until``, both included, UTC)
    and a ``text`` found in the summary. Empty fields do not filter. ``errors`` names the
    fields of the request that were refused (and so do not filter)."""

    action: str = ""
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None
    text: str = ""
    errors: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args) -> ActivityFilter:
        """The filter of a query string (``action``, ``actor``, ``from``, ``to``, ``q``); a value
        that does not parse is refused with a message in ``errors``, never an exception."""
        errors: list[str] = []
        action = args.get("action", "")
        if action and action not in ACTIONS:
            errors.append("There is no such action: showing every action.")
            action = ""
        actor_text = args.get("actor", "")
        actor_id = None
        if actor_text:
            if actor_text.isdigit() and len(actor_text) < 10:
                actor_id = int(actor_text)
            else:
                errors.append("There is no such user: showing everyone's activity.")
        since, until = _day(args.get("from", ""), "From", errors), _day(args.get("to", ""), "To", errors)
        if since and until and since > until:
            errors.append("The range ends before it starts: the dates are not applied.")
            since = until = None
        text = " ".join(args.get("q", "").split())
        if len(text) > TEXT_MAX:
            errors.append(f"Search for at most {TEXT_MAX} characters.")
            text = ""
        return cls(action, actor_id, since, until, text, tuple(errors))

    def query_args(self) -> dict:
        """The filter as query-string arguments (for the pager and the CSV link)."""
        values = {"action": self.action, "actor": "" if self.actor_id is None else str(self.actor_id),
                  "from": self.since.isoformat() if self.since else "", "to": self.until.isoformat() if self.until else "",
                  "q": self.text}
        return {key: value for key, value in values.items() if value}


def _day(text: str, label: str, errors: list[str]) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or not (2000 <= day.year <= 9999):
        errors.append(f"{label}: enter a date as YYYY-MM-DD.")
    return day if day is not None and 2000 <= day.year <= 9999 else None


def _escaped_like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def activity_listing(action: str | ActivityFilter | None = None):
    """The statement listing activity entries newest first, filtered in the query by an
    ``ActivityFilter`` (or one action code), with the actor and the acting organisation loaded in
    the same query. The caller limits it to one organisation's log through its ``TenantScope``
    (owner column ``ActivityEntry.organisation_id``) and pages it, or streams it (the CSV)."""
    wanted = action if isinstance(action, ActivityFilter) else ActivityFilter(action=action or "")
    statement = (select(ActivityEntry)
                 .options(joinedload(ActivityEntry.actor), joinedload(ActivityEntry.on_behalf))
                 .order_by(ActivityEntry.created_at.desc(), ActivityEntry.id.desc()))
    if wanted.action:
        statement = statement.where(ActivityEntry.action == wanted.action)
    if wanted.actor_id == 0:
        statement = statement.where(ActivityEntry.actor_user_id.is_(None))
    elif wanted.actor_id is not None:
        statement = statement.where(ActivityEntry.actor_user_id == wanted.actor_id)
    if wanted.since:
        statement = statement.where(ActivityEntry.created_at >= datetime.combine(wanted.since, time.min))
    if wanted.until:
        statement = statement.where(ActivityEntry.created_at < datetime.combine(wanted.until + timedelta(days=1), time.min))
    if wanted.text:
        statement = statement.where(func.lower(ActivityEntry.summary).like(_escaped_like(wanted.text.lower()), escape="\\"))
    return statement


def actors_in_log(organisation_id: int) -> list[User]:
    """The users who appear in ``organisation_id``'s log (its own and those who acted on its
    behalf), by e-mail: the choices of the page's actor filter. One query."""
    in_log = select(ActivityEntry.actor_user_id).where(ActivityEntry.organisation_id == organisation_id,
                                                        ActivityEntry.actor_user_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(in_log)).order_by(User.email)))


CSV_HEADER = ("When (UTC)", "Action", "Actor", "On behalf, from", "Summary", "Subject", "Subject id")


def activity_csv_rows(statement, batch: int = 500):
    """The CSV rows of ``statement`` (an ``activity_listing``, scoped): the header, then one row
    per entry, read ``batch`` rows at a time so memory stays flat whatever the log's size."""
    yield CSV_HEADER
    for entry in db.session.scalars(statement.execution_options(yield_per=batch)):
        actor = entry.actor
        yield (entry.created_at.strftime("%Y-%m-%d %H:%M:%S"), entry.action_label, actor.email if actor else "system",
               entry.on_behalf.name if entry.on_behalf else "", entry.summary, entry.subject_type, entry.subject_id if entry.subject_id is not None else "")

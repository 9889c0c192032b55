"""Versions of the distributor's price lists (issue 13): reseller cost and MSRP per plan term and
resource, per marketplace.

States and the one function per transition (an illegal one raises ``VersionRefused``)::

    draft --schedule--> scheduled --(its date passes: activate_due_versions)--> active --> expired
      ^                     |                                                  (when the next one
      +-----withdraw--------+                                                   becomes active)

A draft's rows live in ``PriceListVersionRow`` and price nothing. Scheduling writes them onto the
list, dated ``effective_from`` and tagged with the version (with a row without cost/MSRP for each
item the version leaves out, which takes it off the list), so that the price book
(``app.catalog.pricing``) switches to them at that moment exactly, whatever the state column
says; ``activate_due_versions`` (a scheduler duty) only brings the states up to date. Withdrawing
deletes those rows again. Running subscriptions keep their locked prices until renewal
(``app.plans.term_prices``). On scheduling, every reseller selling in the marketplace gets an
e-mail with a CSV of its old and new costs (``app.mail``; the CSV, ``app.catalog.price_list_csv``,
is rendered when sent). A version's own CSV export and import are there too. The diff against
the prices before a version is ``app.catalog.price_diff`` (in SQL, paged there).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, union_all
from sqlalchemy.orm import joinedload

from app.accounts.activity import record_activity
from app.accounts.models import Organisation, OrganisationKind, Role, User
from app.catalog.models import (
    Marketplace,
    PlanTermPrice,
    PriceList,
    PriceListVersion,
    PriceListVersionRow,
    PriceListVersionState as State,
    ResourcePrice,
)
from app.catalog.price_diff import DiffLine, diff  # noqa: F401  (the diff, re-exported)
from app.catalog.pricing import rows_in_effect
from app.core.errors import Refusal, RefusalKind
from app.core.locks import locked_one
from app.extensions import db

ALLOWED = {
    State.DRAFT: {State.SCHEDULED},
    State.SCHEDULED: {State.DRAFT, State.ACTIVE},
    State.ACTIVE: {State.EXPIRED},
    State.EXPIRED: set(),
}
Item = tuple[int, int | None]  # (plan term id, resource id or None)


class VersionRefused(Refusal):
    kind = RefusalKind.CONFLICT


def _move(version: PriceListVersion, target: State) -> None:
    current = State(version.state)
    if target not in ALLOWED[current]:
        raise VersionRefused(f"A {current.value} version cannot become {target.value}.")
    version.state = target.value


def lock_version(version_id: int) -> PriceListVersion:
    version = db.session.get(PriceListVersion, version_id)
    if version is None:
        raise VersionRefused("No such price-list version.", kind=RefusalKind.NOT_FOUND)
    return locked_one(select(PriceListVersion).where(PriceListVersion.id == version_id))


def distributor_lists() -> list[PriceList]:
    """The distributor's price lists, one per marketplace, with their marketplace."""
    return list(db.session.scalars(
        select(PriceList).join(Organisation, Organisation.id == PriceList.seller_id)
        .where(Organisation.kind == OrganisationKind.DISTRIBUTOR.value)
        .options(joinedload(PriceList.marketplace)).join(Marketplace, Marketplace.id == PriceList.marketplace_id)
        .order_by(Marketplace.position, Marketplace.code)))


def prices_at(price_list_id: int, at: datetime) -> dict[Item, tuple[int, int]]:
    """Every item's (cost, MSRP) on the list in effect at ``at`` (items taken off left out), in
    one statement."""
    parts = [rows_in_effect(model, [price_list_id], at) for model in (PlanTermPrice, ResourcePrice)]
    dated = union_all(*parts).subquery()
    rows = db.session.execute(select(dated).where(dated.c.newest_first == 1)).all()
    return {(row.plan_term_id, row.resource_id): (row.cost, row.msrp) for row in rows
            if row.cost is not None and row.msrp is not None}


def create_draft(price_list: PriceList, *, name: str, actor: User, now: datetime) -> PriceListVersion:
    """A new draft of the list holding its prices in effect now (numbered after the last)."""
    locked_one(select(PriceList).where(PriceList.id == price_list.id))
    number = (db.session.scalar(select(func.max(PriceListVersion.number))
                                .where(PriceListVersion.price_list_id == price_list.id)) or 0) + 1
    version = PriceListVersion(price_list_id=price_list.id, number=number, name=(name or "").strip()[:200],
                               state=State.DRAFT.value, created_at=now, created_by_id=actor.id)
    db.session.add(version)
    db.session.flush()
    db.session.add_all(PriceListVersionRow(version_id=version.id, plan_term_id=term_id, resource_id=resource_id,
                                           cost=cost, msrp=msrp)
                       for (term_id, resource_id), (cost, msrp) in sorted(prices_at(price_list.id, now).items(),
                                                                          key=lambda pair: (pair[0][0], pair[0][1] or 0)))
    db.session.flush()
    return version


def version_prices(version: PriceListVersion) -> dict[Item, tuple[int, int]]:
    rows = db.session.execute(select(PriceListVersionRow.plan_term_id, PriceListVersionRow.resource_id,
                                     PriceListVersionRow.cost, PriceListVersionRow.msrp)
                              .where(PriceListVersionRow.version_id == version.id)).all()
    return {(row.plan_term_id, row.resource_id): (row.cost, row.msrp) for row in rows}


# --- schedule, withdraw, activate ---------------------------------------------------------

def schedule(version_id: int, effective_from: datetime, *, actor: User, now: datetime) -> PriceListVersion:
    """draft -> scheduled: the version's rows are written onto its list dated ``effective_from``
    (a future moment no other version of the list uses), items it leaves out are taken off from
    then, and each reseller selling in the marketplace is e-mailed its old and new prices (CSV).
    Not committed."""
    version = lock_version(version_id)
    if effective_from <= now:
        raise VersionRefused("A version is scheduled for a moment in the future.", kind=RefusalKind.INVALID)
    if not version.rows:
        raise VersionRefused("This version has no prices: import some first.", kind=RefusalKind.INVALID)
    taken = db.session.scalar(select(PriceListVersion.id).where(
        PriceListVersion.price_list_id == version.price_list_id, PriceListVersion.effective_from == effective_from,
        PriceListVersion.state.in_([State.SCHEDULED.value, State.ACTIVE.value, State.EXPIRED.value])))
    if taken is not None:
        raise VersionRefused("Another version of this list takes effect at that very moment.")
    _move(version, State.SCHEDULED)
    new = version_prices(version)
    old = prices_at(version.price_list_id, effective_from - timedelta(microseconds=1))
    for (term_id, resource_id), (cost, msrp) in [*new.items(), *((item, (None, None)) for item in old if item not in new)]:
        values = dict(price_list_id=version.price_list_id, plan_term_id=term_id, effective_from=effective_from,
                      cost=cost, msrp=msrp, version_id=version.id)
        db.session.add(PlanTermPrice(**values) if resource_id is None else ResourcePrice(resource_id=resource_id, **values))
    version.effective_from, version.scheduled_at, version.scheduled_by_id = effective_from, now, actor.id
    db.session.flush()
    _tell_resellers(version, now)
    record_activity(actor.organisation_id, "price_list.scheduled",
                    f"Scheduled version {version.number} of the {version.price_list.marketplace.name} price list "
                    f"from {effective_from:%d %b %Y %H:%M} UTC", actor=actor, subject=version, now=now)
    return version


def withdraw(version_id: int, *, actor: User, now: datetime) -> PriceListVersion:
    """scheduled -> draft, before its date: its rows leave the list again. Not committed."""
    version = lock_version(version_id)
    if version.state == State.SCHEDULED.value and version.effective_from <= now:
        raise VersionRefused("This version has already taken effect.")
    _move(version, State.DRAFT)
    for model in (PlanTermPrice, ResourcePrice):
        db.session.execute(delete(model).where(model.version_id == version.id))
    when = version.effective_from
    version.effective_from = version.scheduled_at = version.scheduled_by_id = None
    record_activity(actor.organisation_id, "price_list.withdrawn",
                    f"Withdrew version {version.number} of the {version.price_list.marketplace.name} price list "
                    f"scheduled for {when:%d %b %Y %H:%M} UTC", actor=actor, subject=version, now=now)
    return version


def activate(version: PriceListVersion) -> None:
    """scheduled -> active (its date has passed); the list's previous active version expires."""
    for previous in db.session.scalars(select(PriceListVersion).where(
            PriceListVersion.price_list_id == version.price_list_id, PriceListVersion.state == State.ACTIVE.value,
            PriceListVersion.effective_from < version.effective_from)):
        expire(previous)
    _move(version, State.ACTIVE)


def expire(version: PriceListVersion) -> None:
    """active -> expired: a later version took its place."""
    _move(version, State.EXPIRED)


def activate_due_versions(now: datetime) -> int:
    """Brings states up to date (the prices switched at the date by themselves): every scheduled
    version whose date has passed becomes active, earliest first. Commits; idempotent."""
    due = db.session.scalars(select(PriceListVersion.id).where(
        PriceListVersion.state == State.SCHEDULED.value, PriceListVersion.effective_from <= now)
        .order_by(PriceListVersion.effective_from)).all()
    for version_id in due:
        version = lock_version(version_id)
        if version.state == State.SCHEDULED.value:
            activate(version)
        db.session.commit()
    return len(due)


def displayed_state(version: PriceListVersion, now: datetime) -> str:
    """The state as of ``now``, ahead of the duty: a scheduled version past its date is active."""
    if version.state == State.SCHEDULED.value and version.effective_from <= now:
        return State.ACTIVE.value
    return version.state


# --- the resellers' e-mail -----------------------------------------------------------------

def affected_resellers(marketplace_id: int) -> list[Organisation]:
    """Organisations with reselling enabled that sell in the marketplace: theirs, their
    customers', or a price list of theirs there."""
    customers_here = select(Organisation.parent_id).where(Organisation.marketplace_id == marketplace_id)
    lists_here = select(PriceList.seller_id).where(PriceList.marketplace_id == marketplace_id)
    return list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.RESELLER.value,
                                   Organisation.reselling_enabled.is_(True))
        .where(or_(Organisation.marketplace_id == marketplace_id, Organisation.id.in_(customers_here),
                   Organisation.id.in_(lists_here)))
        .order_by(Organisation.id)))


def _admin_emails(organisation_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(select(User.organisation_id, User.email)
                              .where(User.organisation_id.in_(organisation_ids), User.role == Role.ADMIN.value)
                              .order_by(User.organisation_id, User.id)).all()
    first: dict[int, str] = {}
    for organisation_id, email in rows:
        first.setdefault(organisation_id, email)
    return first


def _tell_resellers(version: PriceListVersion, now: datetime) -> None:
    from app.mail.outbox import queue_mail  # mail sits beside the areas; imported when used

    marketplace = version.price_list.marketplace
    resellers = affected_resellers(marketplace.id)
    emails = _admin_emails([reseller.id for reseller in resellers])
    changes = diff(version, now, changes_only=True)
    for reseller in resellers:
        if reseller.id not in emails:
            continue
        queue_mail("price_list_scheduled", emails[reseller.id],
                   f"New prices in {marketplace.name} from {version.effective_from:%d %b %Y %H:%M} UTC",
                   "price_list_scheduled", event_key=f"version:{version.id}:{version.scheduled_at.isoformat()}", now=now,
                   context={"version_id": version.id},
                   attachments=[{"kind": "price_list_csv", "version_id": version.id}],
                   reseller=reseller, marketplace=marketplace, version=version, changed=len(changes))


# --- reads for the back office ----------------------------------------------------------------

def versions_of(price_list_ids: list[int]) -> dict[int, list[tuple[PriceListVersion, int]]]:
    """Each list's versions, newest first, with their number of rows: two queries."""
    versions = db.session.scalars(select(PriceListVersion).where(PriceListVersion.price_list_id.in_(price_list_ids))
                                  .order_by(PriceListVersion.number.desc())).all()
    counts = dict(db.session.execute(
        select(PriceListVersionRow.version_id, func.count(PriceListVersionRow.id))
        .where(PriceListVersionRow.version_id.in_([v.id for v in versions])).group_by(PriceListVersionRow.version_id)).all())
    found: dict[int, list] = {list_id: [] for list_id in price_list_ids}
    for version in versions:
        found[version.price_list_id].append((version, counts.get(version.id, 0)))
    return found


def distributor_list(list_id: int) -> PriceList:
    found = next((price_list for price_list in distributor_lists() if price_list.id == list_id), None)
    if found is None:
        raise VersionRefused("No such price list.", kind=RefusalKind.NOT_FOUND)
    return found


def parse_moment(text: str) -> datetime:
    """A ``YYYY-MM-DDTHH:MM`` (UTC) from a form."""
    try:
        return datetime.strptime((text or "").strip()[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise VersionRefused("Enter the date and time (UTC) the version takes effect.", kind=RefusalKind.INVALID) from None

"""The back office's view of the organisation tree: search, one level of the tree at a time,
and one organisation with its users. Every list is paginated in the query and loads what a row
shows in one more query at most (never one per row)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import Organisation, OrganisationKind, User
from app.extensions import db

PER_PAGE = 50
KINDS = tuple(kind.value for kind in OrganisationKind)
MAX_QUERY_LENGTH = 100


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_organisations(query: str, kind: str | None, page: int, per_page: int = PER_PAGE):
    """Organisations whose name contains ``query`` or one of whose users' e-mail does (case
    insensitive; ``#123`` finds id 123), optionally of one ``kind``, by name; with their parent."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    statement = select(Organisation).options(joinedload(Organisation.parent)).order_by(func.lower(Organisation.name), Organisation.id)
    if kind in KINDS:
        statement = statement.where(Organisation.kind == kind)
    if query.startswith("#") and query[1:].isdigit() and len(query) < 12:
        statement = statement.where(Organisation.id == int(query[1:]))
    elif query:
        pattern = f"%{_escaped(query.lower())}%"
        by_user = select(User.organisation_id).where(func.lower(User.email).like(pattern, escape="\\"))
        statement = statement.where(or_(func.lower(Organisation.name).like(pattern, escape="\\"), Organisation.id.in_(by_user)))
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def child_counts(organisation_ids: list[int]) -> dict[int, int]:
    """How many child organisations each of these has, in one query."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(select(Organisation.parent_id, func.count(Organisation.id))
                              .where(Organisation.parent_id.in_(organisation_ids)).group_by(Organisation.parent_id))
    return dict(rows.all())


def distributor() -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.DISTRIBUTOR.value)
                             .order_by(Organisation.id).limit(1))


@dataclass(frozen=True)
class TreeLevel:
    parent: Organisation
    children: object  # a Pagination of Organisation
    counts: dict[int, int]  # child id -> how many children it has


def tree_level(parent: Organisation, page: int, per_page: int = PER_PAGE) -> TreeLevel:
    """One page of ``parent``'s children (resellers first, then by name) with their own child
    counts: two queries and the page count."""
    child = aliased(Organisation)
    statement = (select(child).where(child.parent_id == parent.id)
                 .order_by((child.kind != OrganisationKind.RESELLER.value), func.lower(child.name), child.id))
    children = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    return TreeLevel(parent, children, child_counts([organisation.id for organisation in children.items]))


def users_page(organisation: Organisation, page: int, per_page: int = PER_PAGE):
    """The organisation's users, administrators first, then by e-mail."""
    statement = (select(User).where(User.organisation_id == organisation.id)
                 .order_by((User.role != "admin"), User.email))
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def ancestors(organisation: Organisation) -> list[Organisation]:
    """The path from the top of the tree down to ``organisation``'s parent (at most two rows)."""
    path, current = [], organisation.parent
    while current is not None and len(path) < 5:
        path.insert(0, current)
        current = current.parent
    return path

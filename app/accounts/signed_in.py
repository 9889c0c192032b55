"""The signed-in user of a request without a database round trip: a snapshot in Redis, checked
against versions that every committed write of the rows it was read from moves on.

A snapshot holds the columns of the user (not its password hash), its organisation, that
organisation's parent and billing information, and the ``USER_FIGURES`` (e.g. the cart count),
and the keys it depends on with their versions as read *before* the rows were read from the
database: ``user:<id>``, ``organisation:<id>`` (its own, its parent's), and ``all``. A request
reads the snapshot (one round trip) and the current versions of its keys (a second); when every
one matches, it builds the ORM objects from the snapshot, attached to the session as if just
loaded (anything else they are asked for loads as usual). Otherwise the user is read from the
database as before, and the snapshot rewritten.

Nothing has to remember to invalidate: a SQLAlchemy listener notes every insert, update or
delete of a user, organisation or billing information row (and of the rows other areas
register in ``SNAPSHOT_ROWS``, e.g. cart lines) and moves the keys they name on after the
outermost commit; a bulk statement on those tables moves ``all`` (the versions are ``VERSIONS``,
one family of ``app.core.versions``). So a user disabled or removed, a role changed or
reselling switched off is seen on the very next request, by every process.

Not seen: SQL text run by hand and writes from outside the app: call ``forget_signed_in_users()``
after those. Redis down: the user is read from the database. A version that could not be moved
(Redis unreachable from the writing process only) makes ``all`` move when this process reaches
Redis again (``app.core.versions``); snapshots also expire after ``SIGNED_IN_CACHE_SECONDS``,
which bounds what such a lost write can leave. ``SIGNED_IN_CACHE_SECONDS = 0`` switches the snapshots off.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from functools import lru_cache
from typing import Callable, Iterable

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import DateTime, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import BillingInfo, Organisation, User
from app.core.optional_redis import OptionalRedis
from app.core.versions import ALL, Versions, namespace_of
from app.extensions import db

EVERYONE = ALL  # the version every snapshot depends on
SECRET_COLUMNS = frozenset({"password_hash"})  # never copied to Redis: loaded when asked for

# Rows of other areas a snapshot reads (e.g. the cart's lines for its count): model ->
# ``keys(session, row)``, the keys a write to that row makes stale. Register at import.
SNAPSHOT_ROWS: dict[type, Callable[[Session, object], Iterable[str]]] = {}

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5.0  # after a failure, Redis is not tried again for this long
_columns: dict[type, list[tuple[str, bool]]] = {}


_redis = OptionalRedis("signed-in snapshots", "users are read from the database", RETRY_AFTER_SECONDS)
_client, _failed, _recovered = _redis.client, _redis.failed, _redis.recovered
_namespace_of = namespace_of


def _cache_seconds() -> int:
    return int(current_app.config.get("SIGNED_IN_CACHE_SECONDS", 0) or 0)


VERSIONS = Versions("signed-in", _redis, enabled=lambda: _cache_seconds() > 0)


def user_key(user_id) -> str:
    return f"user:{user_id}"


def organisation_key(organisation_id) -> str:
    return f"organisation:{organisation_id}"


def loaded_value(row, name: str):
    """A column's value as the row holds it, never loaded (a deleted row cannot be read):
    ``None`` when not loaded."""
    return row.__dict__.get(name)


def _keys_of_row(session: Session, row) -> Iterable[str]:
    identity = inspect(row).identity
    if isinstance(row, User):
        return (user_key(identity[0]),) if identity else (EVERYONE,)
    if isinstance(row, Organisation):
        return (organisation_key(identity[0]),) if identity else (EVERYONE,)
    if isinstance(row, BillingInfo):
        organisation_id = loaded_value(row, "organisation_id")
        return (organisation_key(organisation_id),) if organisation_id is not None else (EVERYONE,)
    keys = SNAPSHOT_ROWS.get(type(row))
    return keys(session, row) if keys is not None else ()


def _tables() -> set[str]:
    return {model.__table__.name for model in (User, Organisation, BillingInfo, *SNAPSHOT_ROWS)}


VERSIONS.watch(_keys_of_row, _tables)


def _version_key(namespace: str, key: str) -> str:
    return VERSIONS.key(namespace, key)


def forget_signed_in_users() -> None:
    """Makes every snapshot stale (after SQL text or writes from outside the app)."""
    VERSIONS.move((EVERYONE,))


SNAPSHOT_FORMAT = 2  # move on when the layout of a snapshot changes


@lru_cache(maxsize=1)
def _layout() -> str:
    """The snapshot format and the columns it holds: a migration that adds a column, or a new
    format, reads none of the snapshots written before."""
    columns = [(model.__name__, [key for key, _ in _columns_of(model)]) for model in (User, Organisation, BillingInfo)]
    return hashlib.sha1(repr((SNAPSHOT_FORMAT, columns)).encode()).hexdigest()[:8]


def _snapshot_key(namespace: str, user_id: int) -> str:
    return f"signed-in:{namespace}:{_layout()}:user:{user_id}"


def _columns_of(model: type) -> list[tuple[str, bool]]:
    if model not in _columns:
        _columns[model] = [(column.key, isinstance(column.expression.type, DateTime))
                           for column in inspect(model).column_attrs if column.key not in SECRET_COLUMNS]
    return _columns[model]


def _values(row) -> dict | None:
    if row is None:
        return None
    values = {}
    for key, is_datetime in _columns_of(type(row)):
        value = getattr(row, key)
        values[key] = value.isoformat() if is_datetime and value is not None else value
    return values


def _dependencies(user: User) -> list[str]:
    organisation = user.organisation
    keys = [EVERYONE, user_key(user.id), organisation_key(organisation.id)]
    if organisation.parent_id is not None:
        keys.append(organisation_key(organisation.parent_id))
    return keys


def _snapshot(user: User, dependencies: list[str], versions: list[str] | None) -> str:
    """The dependencies on a first line (the read script follows them), then the JSON."""
    organisation = user.organisation
    return " ".join(dependencies) + "\n" + json.dumps({
        "dependencies": dependencies, "versions": versions, "user": _values(user),
        "organisation": _values(organisation), "parent": _values(organisation.parent),
        "billing_info": _values(organisation.billing_info), "figures": getattr(user, "figures", {}),
    }, separators=(",", ":"))


def _detached(model: type, values: dict | None):
    """A row of ``model`` as if just loaded and detached: no history, the snapshot's columns
    loaded, every other column expired (loaded when asked for)."""
    if values is None:
        return None
    row = model._sa_class_manager.new_instance()
    for key, is_datetime in _columns_of(model):
        value = values[key]
        row.__dict__[key] = datetime.fromisoformat(value) if is_datetime and value is not None else value
    make_transient_to_detached(row)
    return row


def _attached(snapshot: dict, session: Session) -> User | None:
    """The snapshot's user, organisation, parent and billing information attached to the session
    as persistent rows; ``None`` when one of them is in the session already (its state wins:
    the caller reads the database, as a query would)."""
    rows = [(User, snapshot["user"]), (Organisation, snapshot["organisation"]), (Organisation, snapshot["parent"]),
            (BillingInfo, snapshot["billing_info"])]
    identity_map = session.identity_map
    for model, values in rows:
        if values is not None and identity_map.get(inspect(model).identity_key_from_primary_key((values["id"],))):
            return None
    user, organisation, parent, billing_info = (_detached(model, values) for model, values in rows)
    set_committed_value(organisation, "parent", parent)
    set_committed_value(organisation, "billing_info", billing_info)
    if billing_info is not None:
        set_committed_value(billing_info, "organisation", organisation)
    set_committed_value(user, "organisation", organisation)
    session.add(user)  # and, by the save-update cascade, its organisation, parent and billing information
    user.figures = snapshot["figures"]
    return user


# One round trip: the snapshot and the current version of each key it names on its first line.
READ_SCRIPT = """
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local result = {raw}
for dependency in string.gmatch(string.match(raw, '^[^\\n]*'), '%S+') do
  result[#result + 1] = redis.call('GET', ARGV[1] .. dependency)
end
return result
"""
_scripts: dict[str, object] = {}


def _read(client, url: str, namespace: str, user_id: int) -> tuple[dict | None, list[str] | None]:
    """The snapshot (or ``None``) and the current versions of its dependencies, read at once."""
    script = _scripts.get(url)
    if script is None:
        script = _scripts.setdefault(url, client.register_script(READ_SCRIPT))
    found = script(keys=[_snapshot_key(namespace, user_id)], args=[_version_key(namespace, "")], client=client)
    if not found:
        return None, None
    snapshot = json.loads(found[0].split(b"\n", 1)[1])
    versions = found[1:]
    if len(versions) != len(snapshot["dependencies"]) or None in versions:
        # A version Redis never had (or lost) starts at random: a snapshot kept from before it
        # was lost is not valid again.
        versions = VERSIONS.started(client, namespace, snapshot["dependencies"])
    return snapshot, [version.decode() for version in versions]


def _writing(session: Session) -> bool:
    """Whether the session holds changes not committed yet: what it reads is not for others."""
    return bool(VERSIONS.noted(session) or session.new or session.dirty or session.deleted)


def signed_in_user(user_id: int, load: Callable[[int], User | None]) -> User | None:
    """The user ``load(user_id)`` would return (read from the database with what the snapshot
    holds), from the snapshot when every row it was read from is unchanged since."""
    connection = VERSIONS.connection()
    if connection is None:
        return load(user_id)
    client, url, namespace = connection
    seconds = _cache_seconds()
    key = _snapshot_key(namespace, user_id)
    try:
        snapshot, versions = _read(client, url, namespace, user_id)
        dependencies = snapshot["dependencies"] if snapshot is not None else None
    except RedisError as error:
        _failed(url, error)
        return load(user_id)
    _recovered(url)
    if versions is not None and versions == snapshot["versions"]:
        user = _attached(snapshot, db.session())
        if user is not None:
            return user
    # The versions were read before the rows: a write committed in between leaves a snapshot
    # that the next request finds stale. Without them (the first time), only the dependencies
    # are kept, so that the next request reads the versions first.
    user = load(user_id)
    if user is None or _writing(db.session()):
        return user
    found = _dependencies(user)
    fresh = versions if found == dependencies else None
    try:
        client.set(key, _snapshot(user, found, fresh), ex=seconds)
    except RedisError as error:
        _failed(url, error)
    return user

"""Row locks and "exactly one row per key": the one place a row is locked.

``locked`` / ``locked_one`` / ``locked_all`` read rows with ``SELECT ... FOR UPDATE`` and load
them afresh (``populate_existing``), so the caller sees what the previous holder committed; the
lock lasts until the transaction ends. Several rows are locked in primary-key order, so two
transactions locking overlapping sets never wait for each other in a cycle. SQLite has no row
locks: there the helpers first take the database's write lock (held until commit) with an
``UPDATE`` that changes nothing, which gives the same one-at-a-time guarantee.

``insert_if_absent`` is ``INSERT ... ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite: it never
raises on a duplicate and never aborts the transaction, and it waits for a concurrent insert of
the same key to commit or roll back.
"""
from __future__ import annotations

from sqlalchemy import Select, false, inspect, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_if_absent(model, values: dict, key: str | tuple[str, ...]) -> bool:
    """Insert ``values`` unless a row with the same unique ``key`` exists (a column, or the
    columns of a unique constraint); True when inserted."""
    return inserted_id_if_absent(model, values, key) is not None


def inserted_id_if_absent(model, values: dict, key: str | tuple[str, ...]) -> int | None:
    """``insert_if_absent`` answering the new row's id (``None``: a row with that key exists),
    in the same one statement."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    columns = [key] if isinstance(key, str) else list(key)
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=columns)
    return db.session.execute(statement.returning(model.__table__.c.id)).scalar()


def _entity(statement: Select):
    return statement.column_descriptions[0]["entity"]


def for_update(statement: Select, of=None) -> Select:
    """``statement`` locking its rows (``of``: only that entity's, when it joins others), in
    primary-key order, read afresh. Run it with the helpers below, which also lock on SQLite."""
    entity = of if of is not None else _entity(statement)
    return (statement.order_by(*inspect(entity).primary_key)
            .with_for_update(of=of).execution_options(populate_existing=True))


def _lock_on_sqlite(statement: Select) -> None:
    if db.session.get_bind().dialect.name == "sqlite":
        table = _entity(statement).__table__
        db.session.execute(update(table).where(false()).values(id=table.c.id))


def locked(statement: Select, of=None):
    """The first row of ``statement``, locked until the transaction ends, freshly loaded; None
    when there is none."""
    _lock_on_sqlite(statement)
    return db.session.scalars(for_update(statement, of)).first()


def locked_one(statement: Select, of=None):
    """The one row of ``statement``, locked and freshly loaded; raises ``NoResultFound`` (or
    ``MultipleResultsFound``) otherwise."""
    _lock_on_sqlite(statement)
    return db.session.scalars(for_update(statement, of)).one()


def locked_all(statement: Select, of=None) -> list:
    """Every row of ``statement``, locked in primary-key order and freshly loaded."""
    _lock_on_sqlite(statement)
    return list(db.session.scalars(for_update(statement, of)))

"""Row helpers for "exactly one row per key, changed by one transaction at a time".

``insert_if_absent`` is ``INSERT ... ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite: it never
raises on a duplicate and never aborts the transaction, and it waits for a concurrent insert of
the same key to commit or roll back. ``locked`` re-reads a row with ``FOR UPDATE``. SQLite has
no row locks: there ``locked`` first takes the database's write lock (held until commit) with an
``UPDATE`` that changes nothing, which gives the same one-at-a-time guarantee.
"""
from __future__ import annotations

from sqlalchemy import Select, false, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_if_absent(model, values: dict, key: str) -> bool:
    """Insert ``values`` unless a row with the same unique ``key`` exists; True when inserted."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=[key])
    return db.session.execute(statement.returning(model.__table__.c.id)).first() is not None


def locked(statement: Select):
    """The first row of ``statement``, locked until the transaction ends, freshly loaded."""
    if db.session.get_bind().dialect.name == "sqlite":
        table = statement.column_descriptions[0]["entity"].__table__
        db.session.execute(update(table).where(false()).values(id=table.c.id))
    return db.session.scalars(statement.with_for_update().execution_options(populate_existing=True)).first()

"""Cut the database connection at a chosen statement, as a network failure or a restarted server
would: on PostgreSQL the server process behind the connection is terminated
(``pg_terminate_backend``); on SQLite the connection is closed under SQLAlchemy's feet. Either way
the statement fails with a disconnect error, as it would in production.

Point it at any write: ``with database_cut(db.engine, r'INSERT INTO order_line'):`` lets the
order row be written, then drops the connection before its first line.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager

import psycopg
from sqlalchemy import event


def _terminate_postgres_backend(connection) -> None:
    backend_pid = connection.connection.dbapi_connection.info.backend_pid
    url = connection.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend_pid,))
        deadline = time.monotonic() + 5
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend_pid,)).fetchone():
            if time.monotonic() > deadline:
                raise RuntimeError(f"backend {backend_pid} did not stop")
            time.sleep(0.02)


def _cut(connection) -> None:
    if connection.dialect.name == "postgresql":
        _terminate_postgres_backend(connection)
    else:
        connection.connection.dbapi_connection.close()


@contextmanager
def database_cut(engine, statement_pattern: str):
    """Within the block, the first statement matching ``statement_pattern`` (a regular expression,
    searched case-insensitively) runs on a dead connection. Yields the list of statements cut."""
    pattern = re.compile(statement_pattern, re.IGNORECASE)
    cut: list[str] = []

    def before_cursor_execute(connection, cursor, statement, parameters, context, executemany):
        if not cut and pattern.search(statement):
            cut.append(statement)
            _cut(connection)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield cut
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)

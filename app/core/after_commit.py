"""Work that waits for the commit: the jobs for rows a transaction wrote reach Redis only after it.

An area registers, once, a handler for its key (``register``: provisioning jobs, outbox
messages, webhook deliveries). ``defer(key, items)`` notes items in the session under that key.
When the outermost transaction commits, each handler is given its items and adds their jobs to
one Redis pipeline (one MULTI/EXEC), sent in one round trip; when that transaction rolls back, the items are
forgotten. If Redis cannot be reached then, nothing is raised (the transaction is committed):
each area's sweeper finds its rows and enqueues them later, and a handler registered with
``failed`` is told (``app.core.versions`` remembers the versions it could not move).

The SAVEPOINT guard, written once here: SQLAlchemy also calls ``after_commit`` when a SAVEPOINT
is released (invoice numbering does that) while the outer transaction is still open; a job sent
then could run before its rows are committed, so the items wait for the real commit. Likewise a
SAVEPOINT rolled back does not forget them (what they point at is still to be committed), nor
does a flush that failed inside a SAVEPOINT (the caller rolls the SAVEPOINT back and goes on).
"""
from __future__ import annotations

import logging
from typing import Callable

from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.queue import redis_connection

log = logging.getLogger(__name__)

# key in ``session.info`` -> handler(items, pipeline) adding the items' jobs to ``pipeline``
_handlers: dict[str, Callable] = {}
# key -> failed(items, error), told when the pipeline holding the items could not be sent
_failure_handlers: dict[str, Callable] = {}


def register(key: str, handler: Callable, failed: Callable | None = None) -> None:
    """``handler(items, pipeline)`` queues the jobs of the items noted under ``key``;
    ``failed(items, error)``, if given, is told when that pipeline could not be sent."""
    _handlers[key] = handler
    if failed is not None:
        _failure_handlers[key] = failed
    install_session_hooks()


def defer(key: str, items, session: Session | None = None) -> None:
    """Notes ``items`` under ``key``: their handler queues them after the outermost commit."""
    if session is None:
        from app.extensions import db

        session = db.session
    session.info.setdefault(key, []).extend(items)


def pending(session: Session) -> dict[str, list]:
    """What waits for the commit, by key (takes it out of the session)."""
    return {key: items for key in _handlers if (items := session.info.pop(key, None))}


def committed_for_good(session: Session) -> bool:
    """In an ``after_commit`` listener: did the outermost transaction commit? ``False`` when a
    SAVEPOINT was released (the outer transaction is still open: what it wrote is not visible to
    anyone else yet). Every listener that tells the world about a commit asks this first."""
    return not session.in_nested_transaction()


def _run_deferred(session: Session) -> None:
    if not committed_for_good(session):
        return
    waiting = pending(session)
    if waiting:
        send(waiting)


def send(waiting: dict[str, list]) -> None:
    """Queues every handler's items in one pipeline; never raises (the data is committed)."""
    try:
        pipeline = redis_connection().pipeline()
        pipeline.multi()  # one MULTI/EXEC for every handler, whatever their order
        for key, items in waiting.items():
            _handlers[key](items, pipeline)
        pipeline.execute()
    except RedisError as error:
        log.warning("Redis unreachable after a commit: %s wait for their sweeps: %s", _describe(waiting), error)
        _tell_failure(waiting, error)
    except Exception as error:
        log.exception("could not queue %s after a commit; they wait for their sweeps", _describe(waiting))
        _tell_failure(waiting, error)


def _tell_failure(waiting: dict[str, list], error: Exception) -> None:
    for key, items in waiting.items():
        failed = _failure_handlers.get(key)
        if failed is not None:
            try:
                failed(items, error)
            except Exception:
                log.exception("the failure handler of %s failed", key)


def _describe(waiting: dict[str, list]) -> str:
    return ", ".join(f"{len(items)} {key}" for key, items in waiting.items())


def _forget_after_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost transaction: a flush that failed inside a SAVEPOINT ends a transaction
    # that is not nested either (the flush's own), while the outer one goes on to its commit.
    if previous_transaction.parent is None:
        for key in _handlers:
            session.info.pop(key, None)


def install_session_hooks() -> None:
    if not event.contains(Session, "after_commit", _run_deferred):
        event.listen(Session, "after_commit", _run_deferred)
        event.listen(Session, "after_soft_rollback", _forget_after_rollback)

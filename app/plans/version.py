"""The subscriptions' version, for the keys of aggregates kept in Redis (the reseller home's
cards): a counter in Redis that moves each time a session that changed a subscription, its
quantities or its scheduled change (through the unit of work or a bulk statement) commits,
together with the subscriptions' newest id and latest ``updated_at`` read from the database.

The counter sees every change the app makes, whatever the clock says (a clock standing still or
set ahead by a command leaves ``updated_at`` behind); the database part sees a change made while
Redis could not be told. Not seen: SQL text run by hand against the tables with Redis down.
"""
from __future__ import annotations

import logging
import random
from itertools import chain

from flask import has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.core.after_commit import committed_for_good
from app.extensions import db
from app.plans.models import ScheduledChange, Subscription, SubscriptionResource
from app.queue import redis_connection

log = logging.getLogger(__name__)

SUBSCRIPTION_MODELS = (Subscription, SubscriptionResource, ScheduledChange)
SUBSCRIPTION_TABLES = frozenset(model.__table__.name for model in SUBSCRIPTION_MODELS)
COUNTER_KEY = "subscriptions-version"
_FLAG = "subscriptions_changed"


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session, flush_context) -> None:
    if not session.info.get(_FLAG) and any(isinstance(row, SUBSCRIPTION_MODELS)
                                           for row in chain(session.new, session.dirty, session.deleted)):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statements(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and \
            getattr(getattr(state.statement, "table", None), "name", None) in SUBSCRIPTION_TABLES:
        state.session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session) -> None:
    # A rolled-back change leaves the flag set: the next commit bumps once more, which is harmless.
    # A released SAVEPOINT is not the commit: an aggregate read now would be kept under the new version.
    if not committed_for_good(session):
        return
    if session.info.pop(_FLAG, False) and has_app_context():
        try:
            redis_connection().incr(COUNTER_KEY)
        except RedisError:
            log.warning("subscriptions version not moved (Redis unreachable)", exc_info=True)


def _counter() -> str:
    client = redis_connection()
    value = client.get(COUNTER_KEY)
    if value is None:  # Redis emptied: start anywhere rather than at a number used before
        client.set(COUNTER_KEY, random.randrange(1, 2**40), nx=True)
        value = client.get(COUNTER_KEY)
    return value.decode()


def subscriptions_version() -> str:
    """The current version (a Redis read and one query of two index look-ups). Raises
    ``RedisError`` when Redis cannot be reached: then nothing should be kept either."""
    newest, latest = db.session.execute(select(func.max(Subscription.id), func.max(Subscription.updated_at))).one()
    return f"{_counter()}:{newest or 0}:{latest.isoformat() if latest else '-'}"

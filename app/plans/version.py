"""The subscriptions' version, for the keys of aggregates kept in Redis (the reseller home's
cards): a version (``VERSIONS``, one family of ``app.core.versions``) that moves after the
outermost commit of each session that changed a subscription, its quantities or its scheduled
change (through the unit of work or a bulk statement), together with the subscriptions' newest
id and latest ``updated_at`` read from the database.

The version sees every change the app makes, whatever the clock says (a clock standing still or
set ahead by a command leaves ``updated_at`` behind); the database part sees a change made while
Redis could not be told. Not seen: SQL text run by hand against the tables with Redis down.
"""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.optional_redis import OptionalRedis
from app.core.versions import ALL, Versions
from app.extensions import db
from app.plans.models import ScheduledChange, Subscription, SubscriptionResource

SUBSCRIPTION_MODELS = (Subscription, SubscriptionResource, ScheduledChange)
SUBSCRIPTION_TABLES = frozenset(model.__table__.name for model in SUBSCRIPTION_MODELS)

_redis = OptionalRedis("subscriptions version", "the reseller home's cards are computed from the database")
VERSIONS = Versions("subscriptions", _redis)
VERSIONS.watch(lambda session, row: (ALL,) if isinstance(row, SUBSCRIPTION_MODELS) else (),
               lambda: SUBSCRIPTION_TABLES)


def subscriptions_version() -> str | None:
    """The current version (a Redis read and one query of two index look-ups), or ``None`` when
    Redis cannot be reached: then nothing should be kept either."""
    counter = VERSIONS.current()
    if counter is None:
        return None
    newest, latest = db.session.execute(select(func.max(Subscription.id), func.max(Subscription.updated_at))).one()
    return f"{counter[0]}:{newest or 0}:{latest.isoformat() if latest else '-'}"

"""Versions: counters in Redis that move on after the outermost commit of a session that wrote
what they stand for, so that whatever was cached under a version is read fresh on the next
request. The storefront cache (``app.catalog.cache``), the signed-in snapshots
(``app.accounts.signed_in``) and the subscriptions' version (``app.plans.version``) each declare
one family of them; an area keeps only what is its own: which names its writes make stale, when,
and what it keeps under them.

A family has a prefix, its own breaker (``OptionalRedis``: while Redis is down nothing waits
for it) and whether it is on. Its versions are ``<prefix>:<database>:v:<name>`` (the database:
a hash of its URL, so apps on other databases sharing the Redis never meet); ``ALL`` is the
version everything it keeps depends on.

- ``watch(names_of_row, tables)`` notes, at each flush, the names the written rows make stale
  (and ``ALL`` for a bulk statement on one of the tables); ``note`` does it by hand and
  ``noted(session)`` says whether the session holds writes not committed yet (it then reads
  and keeps nothing: it must see its own writes, and a rollback must leave no trace).
- After the outermost commit the noted versions move on in the commit's one Redis pipeline
  (``app.core.after_commit``): a released SAVEPOINT moves nothing yet, a SAVEPOINT rolled back
  forgets nothing, and a rollback of the whole transaction forgets them.
- ``current(names)``, or ``connection()`` for a reader with its own script, gives the versions;
  ``None`` when the family is off or Redis cannot be reached: the caller builds from the
  database and keeps nothing.
- ``move(names)`` moves versions at once (after SQL text or writes from outside the app).

Rules written once:

- **A random start.** A version Redis does not hold (never written, or lost when Redis was
  emptied) starts at random in ``[2, 2**48)``, on a read as on a move (``SET NX`` before the
  ``INCR``): never 0 or 1, where an ``INCR`` of a missing key would restart, so nothing kept
  under a version from before (in a process's memory, or a snapshot naming its versions) is
  read again.
- **A move that failed** (Redis unreachable from this process at the commit) is remembered by
  the process; before it next reads or moves a version of that family, once Redis answers, it
  moves ``ALL``: which names were stale is not kept, so everything the family keeps is. Another
  process may read the old versions meanwhile: what it keeps still expires (each family's
  cache time bounds what a lost move can leave). Of the three copies this replaces, that was
  the storefront's and the snapshots' rule; the subscriptions' version only logged the loss.
"""
from __future__ import annotations

import hashlib
import random
from functools import lru_cache
from itertools import chain
from typing import Callable, Collection, Iterable, Sequence

from flask import current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core import after_commit
from app.core.optional_redis import OptionalRedis

ALL = "all"
FIRST_START, LAST_START = 2, 2**48  # a missing version starts in [2, 2**48)


def random_start() -> int:
    return random.randrange(FIRST_START, LAST_START)


@lru_cache(maxsize=32)
def namespace_of(database_url: str) -> str:
    """A short tag of a database URL: keys of apps on other databases never meet in one Redis."""
    return hashlib.sha1(database_url.encode()).hexdigest()[:10]


def database_namespace() -> str:
    """The tag of the current app's database."""
    return namespace_of(str(current_app.config["SQLALCHEMY_DATABASE_URI"]))


class Versions:
    """One family of versions (see the module's docstring)."""

    def __init__(self, prefix: str, redis: OptionalRedis, enabled: Callable[[], bool] = lambda: True,
                 moving: Callable[[], None] = lambda: None) -> None:
        """``enabled()`` (asked in an app context) switches the family off; ``moving()`` is
        called just before this process moves versions (e.g. to forget one it remembers)."""
        self.prefix, self.redis, self.enabled, self.moving = prefix, redis, enabled, moving
        self.session_key = f"versions:{prefix}"
        self.unsent: set[tuple[str, str]] = set()  # (Redis URL, namespace) whose move failed
        after_commit.register(self.session_key, self._add_moves, failed=self._moves_failed)

    # -- where and whether -------------------------------------------------------------------

    def settings(self) -> tuple[str, str] | None:
        """(Redis URL, namespace), or ``None`` outside an app or while the family is off."""
        if not has_app_context() or not self.enabled():
            return None
        return current_app.config["REDIS_URL"], database_namespace()

    def key(self, namespace: str, name: str) -> str:
        return f"{self.prefix}:{namespace}:v:{name}"

    # -- noting writes -----------------------------------------------------------------------

    def note(self, names: Iterable[str], session: Session) -> None:
        """The session's writes make ``names`` stale: they move on after its outermost commit."""
        names = list(names)
        if names and self.settings() is not None:
            after_commit.defer(self.session_key, names, session=session)

    def noted(self, session: Session) -> bool:
        """Whether the session holds writes of this family not committed yet."""
        return bool(session.info.get(self.session_key))

    def watch(self, names_of_row: Callable[[Session, object], Iterable[str]],
              tables: Callable[[], Collection[str]]) -> None:
        """Notes, at each flush, ``names_of_row(session, row)`` of every row inserted, updated or
        deleted, and ``ALL`` for a bulk insert, update or delete run on one of ``tables()``."""
        def note_flushed_rows(session, flush_context) -> None:
            if ALL in session.info.get(self.session_key, ()):
                return  # everything is stale already
            names = set()
            for row in chain(session.new, session.dirty, session.deleted):
                names.update(names_of_row(session, row))
            self.note(names, session)

        def note_bulk_statements(state) -> None:
            if state.is_insert or state.is_update or state.is_delete:
                if getattr(getattr(state.statement, "table", None), "name", None) in tables():
                    self.note((ALL,), state.session)

        event.listen(Session, "after_flush", note_flushed_rows)
        event.listen(Session, "do_orm_execute", note_bulk_statements)

    # -- moving ------------------------------------------------------------------------------

    def _queue_moves(self, pipeline, namespace: str, names: Iterable[str]) -> None:
        """Adds the moves of ``names`` (each starting at random when missing) to ``pipeline``."""
        for name in sorted(set(names)):
            key = self.key(namespace, name)
            pipeline.set(key, random_start(), nx=True).incr(key)

    def _add_moves(self, names: list[str], pipeline) -> None:
        """The after-commit handler: the noted names move in the commit's pipeline (``ALL`` too
        when a move of this process failed before)."""
        settings = self.settings()
        if settings is None:
            return
        self.moving()
        if self.redis.client(settings[0]) is None:  # considered down: not even tried
            self.unsent.add(settings)
            return
        if settings in self.unsent:
            self.unsent.discard(settings)
            names = [*names, ALL]
        self._queue_moves(pipeline, settings[1], names)

    def _moves_failed(self, names: list[str], error: Exception) -> None:
        settings = self.settings()
        if settings is None:
            return
        self.unsent.add(settings)
        if isinstance(error, RedisError):
            self.redis.failed(settings[0], error)

    def move(self, names: Iterable[str] = (ALL,)) -> dict[str, str] | None:
        """Moves ``names`` on now, for every process; their new versions by name, or ``None``
        when off or Redis unreachable (then the move is remembered, see the module). Never raises."""
        settings = self.settings()
        if settings is None:
            return None
        self.moving()
        url, namespace = settings
        client = self.redis.client(url)
        names = sorted(set(names) | ({ALL} if settings in self.unsent else set()))
        try:
            if client is None:
                raise RedisError("Redis is considered down")
            pipeline = client.pipeline(transaction=False)
            self._queue_moves(pipeline, namespace, names)
            moved = pipeline.execute()[1::2]
        except RedisError as error:
            self.unsent.add(settings)
            if client is not None:
                self.redis.failed(url, error)
            return None
        self.unsent.discard(settings)
        self.redis.recovered(url)
        return {name: str(version) for name, version in zip(names, moved)}

    # -- reading -----------------------------------------------------------------------------

    def connection(self) -> tuple[Redis, str, str] | None:
        """(client, Redis URL, namespace) to read versions with, after moving ``ALL`` if a move of
        this process failed; ``None`` when off or Redis unreachable. A reader that meets a
        ``RedisError`` with the client tells ``self.redis.failed(url, error)``."""
        settings = self.settings()
        if settings is None:
            return None
        url, namespace = settings
        client = self.redis.client(url)
        if client is None:
            return None
        if settings in self.unsent:
            try:
                self.moving()
                pipeline = client.pipeline(transaction=False)
                self._queue_moves(pipeline, namespace, (ALL,))
                pipeline.execute()
            except RedisError as error:
                self.redis.failed(url, error)
                return None
            self.unsent.discard(settings)
        return client, url, namespace

    def started(self, client: Redis, namespace: str, names: Sequence[str]) -> list[bytes]:
        """The versions of ``names``, each missing one started at random first (one round trip)."""
        keys = [self.key(namespace, name) for name in names]
        pipeline = client.pipeline(transaction=False)
        for key in keys:
            pipeline.set(key, random_start(), nx=True)
        return pipeline.mget(keys).execute()[-1]

    def current(self, names: Sequence[str] = (ALL,)) -> list[str] | None:
        """The current versions of ``names`` (one round trip; a missing one starts at random), or
        ``None`` when the family is off or Redis cannot be reached."""
        connection = self.connection()
        if connection is None:
            return None
        client, url, namespace = connection
        try:
            versions = client.mget([self.key(namespace, name) for name in names])
            if None in versions:
                versions = self.started(client, namespace, names)
        except RedisError as error:
            self.redis.failed(url, error)
            return None
        self.redis.recovered(url)
        return [version.decode() for version in versions]

"""The one versions mechanism (``app.core.versions``), against the tests' Redis: a noted version
moves after the outermost commit only (not when a SAVEPOINT is released, never after a
rollback); a missing version starts at random, never at 0 or 1; with Redis down readers see
no version, nothing raises, and the move that failed is made once this process reaches Redis."""
from __future__ import annotations

import os
from uuid import uuid4

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from sqlalchemy import text

from app.core import after_commit, versions
from app.core.optional_redis import OptionalRedis
from app.core.versions import ALL, Versions

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def app():
    application = Flask(__name__)
    application.config.update(REDIS_URL=REDIS_URL, SQLALCHEMY_DATABASE_URI=f"sqlite:///versions-{uuid4().hex}")
    with application.app_context():
        yield application


@pytest.fixture
def family(app):
    family = Versions(f"unit-versions-{uuid4().hex[:8]}", OptionalRedis("unit test versions", "nothing is kept"))
    yield family
    after_commit._handlers.pop(family.session_key, None)
    after_commit._failure_handlers.pop(family.session_key, None)
    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter(f"{family.prefix}:*"):
        redis.delete(key)


def test_a_noted_version_moves_after_the_commit_by_one_and_the_others_stay(family, session):
    before = family.current(["user:1", "user:2"])
    family.note(["user:1"], session)
    assert family.noted(session) and family.current(["user:1", "user:2"]) == before
    session.commit()
    assert family.current(["user:1", "user:2"]) == [str(int(before[0]) + 1), before[1]]
    assert not family.noted(session)


def test_a_version_noted_inside_a_released_savepoint_moves_only_at_the_outer_commit(family, session):
    before = family.current()
    session.execute(text("INSERT INTO t (id) VALUES (1)"))
    with session.begin_nested():  # released at the end of the block: after_commit fires for it
        family.note([ALL], session)
    assert family.current() == before
    session.commit()
    assert family.current() == [str(int(before[0]) + 1)]


def test_a_rollback_moves_nothing_and_forgets_what_was_noted(family, session):
    before = family.current()
    session.execute(text("INSERT INTO t (id) VALUES (1)"))
    family.note([ALL], session)
    session.rollback()
    session.commit()
    assert family.current() == before and not family.noted(session)


def test_a_missing_version_starts_at_random_never_at_0_or_1(family, monkeypatch):
    # Given the random start drawing its lowest value
    monkeypatch.setattr(versions.random, "randrange", lambda low, high: low)
    # Then a version read for the first time is 2, and a version moved for the first time 3
    assert family.current(["read-first"]) == ["2"]
    assert family.move(["moved-first"]) == {"moved-first": "3"}
    monkeypatch.undo()
    started = {int(versions.random_start()) for _ in range(1000)}
    assert min(started) >= 2 and len(started) > 990


def test_redis_down_readers_see_no_version_and_nothing_raises(family, session, app):
    app.config["REDIS_URL"] = UNREACHABLE
    family.note([ALL], session)
    session.commit()  # the pipeline cannot be sent: logged, not raised
    assert family.current() is None and family.connection() is None and family.move() is None


def test_a_move_that_failed_at_the_commit_moves_all_once_this_process_reaches_redis(family, session, monkeypatch):
    before = family.current(["user:1", ALL])
    monkeypatch.setattr(after_commit, "redis_connection", lambda: Redis.from_url(UNREACHABLE))
    family.note(["user:1"], session)
    session.commit()
    monkeypatch.undo()
    # Redis answers again (the breaker's pause over): the first read moves ALL first
    family.redis.down_until.clear()
    assert family.current(["user:1", ALL]) == [before[0], str(int(before[1]) + 1)]
    assert family.current(["user:1", ALL]) == [before[0], str(int(before[1]) + 1)]  # once


def test_a_commit_while_the_breaker_is_open_moves_all_at_the_next_commit(family, session):
    before = family.current(["user:1", ALL])
    family.redis.failed(REDIS_URL, ConnectionError("as if Redis had just failed"))
    family.note(["user:1"], session)
    session.commit()  # not even tried
    family.redis.down_until.clear()
    family.note(["user:2"], session)
    session.commit()
    assert family.current(["user:1", ALL]) == [before[0], str(int(before[1]) + 1)]


def test_the_moves_and_the_jobs_of_a_commit_go_out_in_its_one_pipeline(family, session):
    # Given a handler enqueuing an RQ job, registered after the family (its moves come first)
    redis = Redis.from_url(REDIS_URL)
    queue = Queue(f"{family.prefix}-jobs", connection=redis)
    after_commit.register("unit_test_jobs", lambda items, pipeline: [queue.enqueue("builtins.print", item, pipeline=pipeline)
                                                                     for item in items])
    before = family.current()
    try:
        family.note([ALL], session)
        after_commit.defer("unit_test_jobs", ["job"], session=session)
        session.commit()
    finally:
        after_commit._handlers.pop("unit_test_jobs", None)
    # Then both went out (RQ opens the pipeline's MULTI only while nothing is queued yet)
    assert queue.count == 1 and family.current() == [str(int(before[0]) + 1)]
    queue.delete(delete_jobs=True)

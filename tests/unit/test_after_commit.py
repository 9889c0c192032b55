"""The one after-commit mechanism (``app.core.after_commit``): items deferred in a transaction
reach their handler, in one Redis pipeline, only once the outermost transaction commits; a
released SAVEPOINT sends nothing; a rollback forgets them; Redis being down never raises."""
from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core import after_commit

KEY = "unit_test_items"


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "t"
    id: Mapped[int] = mapped_column(primary_key=True)


class FakePipeline:
    def __init__(self, redis) -> None:
        self.redis, self.queued, self.in_multi = redis, [], False

    def multi(self):
        # as redis-py: MULTI opens the pipeline, before any command (handlers never open it)
        assert not self.queued and not self.in_multi, "MULTI after commands, or twice"
        self.in_multi = True

    def execute(self):
        assert self.in_multi, "the commit's pipeline is one MULTI/EXEC"
        if self.redis.down:
            raise RedisConnectionError("Redis is down")
        self.redis.sent.append(list(self.queued))


class FakeRedis:
    def __init__(self) -> None:
        self.sent, self.down = [], False

    def pipeline(self):
        return FakePipeline(self)


@pytest.fixture
def redis(monkeypatch):
    fake = FakeRedis()
    monkeypatch.setattr(after_commit, "redis_connection", lambda: fake)
    after_commit.register(KEY, lambda items, pipeline: pipeline.queued.extend(items))
    yield fake
    after_commit._handlers.pop(KEY, None)


def test_items_are_sent_in_one_pipeline_after_the_commit_and_only_once(redis, session):
    after_commit.defer(KEY, [1, 2], session=session)
    after_commit.defer(KEY, [3], session=session)
    assert redis.sent == []
    session.commit()
    assert redis.sent == [[1, 2, 3]]
    session.commit()
    assert redis.sent == [[1, 2, 3]]


def test_releasing_a_savepoint_sends_nothing_until_the_outer_commit(redis, session):
    session.execute(text("INSERT INTO t (id) VALUES (1)"))
    after_commit.defer(KEY, ["before"], session=session)
    with session.begin_nested():  # released at the end of the block: after_commit fires for it
        after_commit.defer(KEY, ["inside"], session=session)
    assert redis.sent == []
    session.commit()
    assert redis.sent == [["before", "inside"]]


def test_a_rolled_back_savepoint_keeps_the_items_and_a_rolled_back_transaction_forgets_them(redis, session):
    session.execute(text("INSERT INTO t (id) VALUES (1)"))
    after_commit.defer(KEY, ["kept"], session=session)
    nested = session.begin_nested()
    nested.rollback()
    session.commit()
    assert redis.sent == [["kept"]]
    session.execute(text("INSERT INTO t (id) VALUES (2)"))  # the rows the items point at
    after_commit.defer(KEY, ["forgotten"], session=session)
    session.rollback()
    session.commit()
    assert redis.sent == [["kept"]] and KEY not in session.info


def test_redis_down_at_the_commit_raises_nothing_and_drops_the_items_for_the_sweeps(redis, session):
    redis.down = True
    after_commit.defer(KEY, [7], session=session)
    session.commit()
    assert redis.sent == [] and KEY not in session.info


def test_a_flush_that_fails_inside_a_savepoint_keeps_the_items_of_the_outer_transaction(redis, session):
    # Given items deferred, then a SAVEPOINT whose insert meets a unique key (as invoice numbering's may)
    session.execute(text("INSERT INTO t (id) VALUES (1)"))
    after_commit.defer(KEY, ["kept"], session=session)
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(Row(id=1))  # the flush's own transaction fails, then the SAVEPOINT rolls back
    # When the outer transaction goes on and commits, Then its items are sent
    session.commit()
    assert redis.sent == [["kept"]]


def test_a_handler_registered_with_failed_is_told_when_the_pipeline_could_not_be_sent(redis, session):
    told = []
    after_commit.register(KEY, lambda items, pipeline: pipeline.queued.extend(items),
                          failed=lambda items, error: told.append((items, type(error))))
    try:
        redis.down = True
        after_commit.defer(KEY, [8], session=session)
        session.commit()
    finally:
        after_commit._failure_handlers.pop(KEY, None)
    assert told == [([8], RedisConnectionError)] and redis.sent == []

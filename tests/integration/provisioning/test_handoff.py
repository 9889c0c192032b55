"""The hand-off: requests are created in the placing transaction and enqueued after its commit."""
from datetime import timedelta

from rq import Queue
from sqlalchemy import func, select

from app.core.clock import current_now
from app.extensions import db
from app.provisioning.handoff import hand_off
from app.provisioning.models import FulfillmentRequest
from app.provisioning.sweeper import sweep


def _requests():
    return db.session.scalars(select(FulfillmentRequest).order_by(FulfillmentRequest.id)).all()


def test_hand_off_creates_one_pending_request_per_line_with_a_stable_key(app, clean_redis, place_order):
    order = place_order(lines=2)

    hand_off(order)
    db.session.commit()

    requests = _requests()
    assert [(r.type, r.state, r.order_line_id, r.subscription_id) for r in requests] == [
        ("purchase", "pending", line.id, line.subscription_id) for line in order.lines]
    assert [r.idempotency_key for r in requests] == [f"{order.number}-1-purchase", f"{order.number}-2-purchase"]
    assert order.status == "provisioning"


def test_jobs_are_enqueued_only_after_the_commit(app, clean_redis, place_order):
    queue = Queue("provisioning", connection=clean_redis)
    order = place_order()

    hand_off(order)
    db.session.flush()
    assert queue.count == 0

    db.session.commit()
    request = _requests()[0]
    assert queue.job_ids == [request.job_id]
    assert queue.fetch_job(request.job_id).args == (request.id,)


def test_a_rolled_back_placing_enqueues_nothing(app, clean_redis, place_order):
    queue = Queue("provisioning", connection=clean_redis)
    order = place_order()
    hand_off(order)

    db.session.rollback()
    db.session.commit()

    assert queue.count == 0
    assert db.session.scalar(select(func.count(FulfillmentRequest.id))) == 0


def test_handing_off_twice_creates_no_second_request(app, clean_redis, place_order):
    order = place_order()
    hand_off(order)
    db.session.commit()

    hand_off(order)
    db.session.commit()

    assert len(_requests()) == 1


def test_with_redis_down_the_order_is_placed_and_the_sweeper_enqueues_it_later(app, clean_redis, place_order, fast_provisioning, monkeypatch):
    from flask import g

    order = place_order()
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
        g.pop("redis", None)
        hand_off(order)
        db.session.commit()
    g.pop("redis", None)
    request = _requests()[0]
    assert request.state == "pending"
    queue = Queue("provisioning", connection=clean_redis)
    assert queue.count == 0

    too_early = sweep(current_now())
    report = sweep(current_now() + timedelta(seconds=61))

    assert (too_early.requeued, report.requeued) == (0, 1)
    db.session.refresh(request)
    assert queue.job_ids == [request.job_id]


def test_the_sweeper_leaves_a_request_whose_job_still_waits(app, clean_redis, place_order, fast_provisioning):
    hand_off(place_order())
    db.session.commit()

    report = sweep(current_now() + timedelta(seconds=120))

    assert (report.released, report.requeued) == (0, 0)
    assert Queue("provisioning", connection=clean_redis).count == 1

"""Running requests in-process: claims, outcomes, retries, giving up (no worker processes)."""
from datetime import datetime, timedelta

from rq import Queue
from sqlalchemy import select

from app.core.clock import current_now
from app.extensions import db
from app.mail.models import OutboxMessage
from app.provisioning.connectors.base import Outcome
from app.provisioning.handoff import hand_off
from app.provisioning.models import DemoVendorCall, FulfillmentRequest
from app.provisioning.runner import claim_request, record_outcome, release_claims_of, run_request
from app.provisioning.sweeper import sweep


def _handed_off(place_order, **options) -> FulfillmentRequest:
    order = place_order(**options)
    hand_off(order)
    db.session.commit()
    return db.session.scalars(select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id)).first()


def _outbox():
    return [(m.kind, m.recipient) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_completed_request_activates_the_subscription_for_its_term_and_tells_the_buyer(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)

    assert run_request(request.id, "test:1") == "done"

    db.session.refresh(request)
    subscription = request.subscription
    assert (request.state, request.attempts, request.claim_token) == ("completed", 1, None)
    assert subscription.status == "active"
    assert subscription.vendor_reference == request.vendor_reference != ""
    assert subscription.current_period_start == request.completed_at
    assert subscription.current_period_end.month == (subscription.current_period_start.month % 12) + 1
    assert request.order.status == "completed"
    assert _outbox() == [("new_subscription", "admin@customer-a.test")]


def test_a_completed_request_is_never_provisioned_again(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)
    run_request(request.id, "test:1")

    assert run_request(request.id, "test:2") == "skipped"

    calls = db.session.scalars(select(DemoVendorCall)).all()
    assert [(c.idempotency_key, c.took_effect) for c in calls] == [(request.idempotency_key, True)]


def test_only_one_of_two_deliveries_claims_the_request(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)
    now = current_now()

    first = claim_request(request.id, now, "host:1")
    second = claim_request(request.id, now, "host:2")

    assert first is not None and second is None
    assert first.call.idempotency_key == request.idempotency_key


def test_a_claim_whose_lease_ran_out_can_be_taken_and_the_old_holder_cannot_record(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)
    now = current_now()
    stale = claim_request(request.id, now, "host:1")

    fresh = claim_request(request.id, now + timedelta(seconds=31), "host:2")
    applied = record_outcome(request.id, stale.token, Outcome.done("OLD"), now + timedelta(seconds=32))

    assert fresh is not None and fresh.call.idempotency_key == stale.call.idempotency_key
    assert applied is False
    db.session.refresh(request)
    assert (request.state, request.attempts, request.claimed_by) == ("processing", 2, "host:2")


def test_a_dead_horses_claims_are_released_at_once(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)
    claim_request(request.id, current_now(), "host:77")

    released = release_claims_of("host:77", current_now())

    db.session.refresh(request)
    assert (released, request.state, request.claim_token) == (1, "pending", None)
    assert claim_request(request.id, current_now(), "host:78") is not None


def test_a_transient_failure_is_retried_later_with_backoff(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order, settings={"fail_first": 1})
    clean_redis.flushdb()
    before = current_now()

    assert run_request(request.id, "test:1") == "error"

    db.session.refresh(request)
    assert (request.state, request.attempts) == ("pending", 1)
    assert request.last_error == "Demo vendor: temporarily unavailable (simulated)."
    assert 2 <= (request.next_attempt_at - before).total_seconds() < 3
    scheduled = Queue("provisioning", connection=clean_redis).scheduled_job_registry.get_job_ids()
    assert scheduled == [request.job_id]
    assert run_request(request.id, "test:2") == "done"


def test_past_the_attempt_limit_the_request_and_subscription_fail_and_people_are_told(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order, settings={"failure_rate": 1.0})

    results = [run_request(request.id, f"test:{n}") for n in range(4)]

    db.session.refresh(request)
    assert results == ["error", "error", "error", "skipped"]
    assert (request.state, request.attempts, request.subscription.status) == ("failed", 3, "failed")
    assert request.order.status == "failed"
    assert _outbox() == [("provisioning_failed", "admin@customer-a.test"),
                         ("provisioning_failed", app.config["STAFF_ALERT_EMAIL"])]


def test_an_order_with_one_failed_line_is_partially_failed(app, clean_redis, place_order, fast_provisioning):
    order = place_order(lines=2)
    hand_off(order)
    db.session.commit()
    first, second = db.session.scalars(select(FulfillmentRequest).order_by(FulfillmentRequest.id)).all()

    run_request(first.id, "test:1")
    claim = claim_request(second.id, current_now(), "test:2")
    record_outcome(second.id, claim.token, Outcome.error("no such plan at the vendor", permanent=True), current_now())

    db.session.refresh(order)
    assert order.status == "partially_failed"


def test_an_unknown_connector_fails_at_once(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order, connector="carrier-pigeon")

    run_request(request.id, "test:1")

    db.session.refresh(request)
    assert (request.state, request.attempts, request.last_error) == ("failed", 1, "No connector is called 'carrier-pigeon'.")


def test_the_sweeper_hands_back_an_abandoned_claim_and_enqueues_it(app, clean_redis, place_order, fast_provisioning):
    request = _handed_off(place_order)
    clean_redis.flushdb()
    claim_request(request.id, current_now(), "dead-host:1")

    report = sweep(current_now() + timedelta(seconds=31))

    db.session.refresh(request)
    assert (report.released, report.requeued, request.state) == (1, 1, "pending")
    assert Queue("provisioning", connection=clean_redis).job_ids == [request.job_id]


def test_the_storefront_connector_switches_on_the_resellers_storefront(app, clean_redis, world, place_order, fast_provisioning):
    request = _handed_off(place_order, connector="reseller_storefront", buyer=world.reseller, plan=world.reseller_plan)

    assert run_request(request.id, "test:1") == "done"

    db.session.refresh(world.reseller)
    assert world.reseller.storefront_enabled is True
    assert request.subscription.vendor_reference == f"STOREFRONT-{world.reseller.id}"


def test_the_storefront_connector_refuses_an_organisation_without_reselling(app, clean_redis, world, place_order, fast_provisioning):
    request = _handed_off(place_order, connector="reseller_storefront")

    run_request(request.id, "test:1")

    db.session.refresh(world.customer)
    assert (request.state, world.customer.storefront_enabled) == ("failed", False)


def test_a_lifecycle_request_tells_the_vendor_and_leaves_the_subscription_status_alone(app, clean_redis, place_order, fast_provisioning):
    from app.provisioning.handoff import request_lifecycle
    from app.provisioning.models import RequestType

    purchase = _handed_off(place_order)
    run_request(purchase.id, "test:1")
    cancel = request_lifecycle(purchase.subscription, RequestType.CANCEL)
    db.session.commit()

    assert run_request(cancel.id, "test:2") == "done"

    db.session.refresh(cancel)
    assert (cancel.state, cancel.order_id, cancel.subscription.status) == ("completed", None, "active")
    assert cancel.idempotency_key.startswith(f"sub{purchase.subscription_id}-cancel-")
    assert Queue("provisioning", connection=clean_redis).job_ids[-1] == cancel.job_id


def test_the_sweep_command_reports_what_it_did(app, clean_redis, place_order, fast_provisioning, monkeypatch):
    request = _handed_off(place_order)
    clean_redis.flushdb()
    monkeypatch.setitem(app.config, "PROVISIONING_REQUEUE_AFTER", 0.0)

    result = app.test_cli_runner().invoke(args=["provisioning-sweep"])

    assert result.output == "Released 0 abandoned request(s); enqueued 1.\n"
    db.session.refresh(request)
    assert Queue("provisioning", connection=clean_redis).job_ids == [request.job_id]


def test_the_sweeper_is_a_periodic_duty(app):
    from app.provisioning.jobs import sweep_provisioning_job
    from app.worker import periodic_duties

    assert (sweep_provisioning_job, "default", app.config["PROVISIONING_SWEEP_INTERVAL"]) in periodic_duties()

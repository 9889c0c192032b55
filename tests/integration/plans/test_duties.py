"""The lifecycle duties around the services: the ``run-duties`` command, a change whose
fulfillment finally fails, and the scheduler's registration."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.billing.models import Invoice
from app.extensions import db
from app.orders.change_lines import ChangeRequest, place_change_order, preview_change
from app.plans.models import BillingPeriod, Subscription
from app.provisioning.connectors.base import Outcome
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import record_outcome

FEB_1 = datetime(2026, 2, 1, 9)
FEB_11 = datetime(2026, 2, 11, 15)


def test_run_duties_as_of_a_date_catches_up_day_by_day_once(app, world, subscribe):
    subscription = subscribe(FEB_1)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["run-duties", "--as-of", "2026-02-27", "--until", "2026-03-02"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line[:16] for line in lines] == ["2026-02-27 23:59", "2026-02-28 23:59", "2026-03-01 23:59", "2026-03-02 23:59"]
    assert "1 renewed, 0 expired, 1 invoiced" in lines[2] and "0 renewed, 0 expired, 0 invoiced" in lines[3]
    assert runner.invoke(args=["run-duties", "--as-of", "2026-03-02"]).output.count("0 renewed") == 1
    db.session.expire_all()
    assert db.session.get(Subscription, subscription.id).current_period_end == datetime(2026, 4, 1, 9)
    # 800 + 3 seats x 200, + 10 % tax, on account, due in 30 days
    invoice = db.session.scalar(select(Invoice))
    assert (invoice.total, invoice.status, invoice.payment_method) == (1540, "open", "on_account")
    assert db.session.scalar(select(BillingPeriod.invoice_id)) == invoice.id
    assert app.config["CLOCK"] is None  # the command gives the clock back
    assert runner.invoke(args=["run-duties", "--as-of", "2026-03-02", "--until", "2026-03-01"]).exit_code != 0


def test_a_change_whose_fulfillment_finally_fails_gives_the_seats_back_and_voids_its_invoice(world, subscribe):
    world.reseller.credit_limit = 1_000_000
    subscription = subscribe(FEB_1)
    requested = {world.seats.id: 10}
    preview = preview_change(subscription, requested, FEB_11)
    place_change_order(ChangeRequest(subscription.id, requested, preview.change.fingerprint, "k" * 32), FEB_11)
    request_id = db.session.scalar(select(FulfillmentRequest.id).where(FulfillmentRequest.type == "change"))

    record_outcome(request_id, None, Outcome.error("The vendor refused the change.", permanent=True), datetime(2026, 2, 12))

    db.session.expire_all()
    assert db.session.get(FulfillmentRequest, request_id).state == "failed"
    assert db.session.get(Subscription, subscription.id).quantity_of(world.seats.id) == 8
    assert db.session.scalar(select(Invoice.status)) == "void"


def test_the_scheduler_runs_the_lifecycle_duties(app):
    from app.plans.jobs import run_lifecycle_duties_job
    from app.worker import periodic_duties

    assert (run_lifecycle_duties_job, "default", 3600) in periodic_duties()

"""``flask seed-demo`` on an empty database: the catalog and logins, then a year of reseller
one's business through the real services (checkout, provisioning's runner, change orders,
lifecycle actions, daily renewal duties), ending today with what the reseller panel shows."""
from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.accounts.activity import ActivityEntry
from app.accounts.models import Organisation, User
from app.billing.models import Invoice
from app.core.demo_data import DEMO_PASSWORD
from app.core.demo_history import DAYS
from app.extensions import db
from app.orders.models import Order
from app.plans.models import ScheduledChange, Subscription
from app.provisioning.models import FulfillmentRequest

TODAY = datetime(2026, 11, 28, 9, 30)


def test_seed_demo_loads_a_year_of_business_through_the_services(app, monkeypatch):
    from app.core.clock import FixedClock

    monkeypatch.setitem(app.config, "CLOCK", FixedClock(TODAY))
    runner = app.test_cli_runner()
    started = time.monotonic()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert "Demo data loaded." in result.output
    print(f"seed-demo took {elapsed:.1f} s")

    reseller = db.session.scalar(select(Organisation).where(Organisation.name == "Reseller One LLC"))
    customers = db.session.scalars(select(Organisation).where(Organisation.parent_id == reseller.id)).all()
    assert len(customers) == 14  # A, B and C, and eleven new ones bought for during the year
    subscriptions = db.session.scalars(select(Subscription).where(Subscription.payer_id == reseller.id)).all()
    by_status = Counter(subscription.status for subscription in subscriptions)
    assert by_status == {"active": 14, "canceled": 1, "expired": 1}
    # every fulfillment request was provisioned by the runner, none left pending or failed
    assert set(db.session.scalars(select(FulfillmentRequest.state)).all()) == {"done"}
    # two decreases wait for the next period (pending in the reseller's table), dated after today
    pending = db.session.scalars(select(ScheduledChange).where(ScheduledChange.applied_at.is_(None),
                                                               ScheduledChange.canceled_at.is_(None))).all()
    assert len(pending) == 2 and all(change.effective_at > TODAY for change in pending)
    single = [s for s in subscriptions if s.plan.kind == "single_user"]
    assert len(single) == 2 and {s.status for s in single} == {"active"}
    # twelve months of invoices: one a month at least, paid but for the last weeks'
    invoices = db.session.scalars(select(Invoice).where(Invoice.organisation_id == reseller.id)).all()
    months = {(invoice.issued_at.year, invoice.issued_at.month) for invoice in invoices}
    assert len(months) >= 12 and min(invoice.issued_at for invoice in invoices) >= TODAY - timedelta(days=DAYS)
    statuses = Counter(invoice.status for invoice in invoices)
    assert statuses["paid"] > 100 and 0 < statuses["open"] < 40 and max(i.issued_at for i in invoices) < TODAY
    assert db.session.scalar(select(func.count(Order.id)).where(Order.buyer_id == reseller.id)) >= 20
    actions = Counter(db.session.scalars(select(ActivityEntry.action).where(ActivityEntry.organisation_id == reseller.id)))
    assert actions["order.placed"] >= 15 and actions["subscription.canceled"] == 3 and actions["subscription.resumed"] == 1
    # the demo logins still work
    for email in ("admin@reseller-one.example", "member@reseller-one.example", "admin@customer-a.example"):
        assert db.session.scalar(select(User).where(User.email == email)).check_password(DEMO_PASSWORD)
    # and running it again changes nothing
    again = runner.invoke(args=["seed-demo"])
    assert "nothing changed" in again.output
    assert db.session.scalar(select(func.count(Subscription.id))) == len(subscriptions)

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


def test_seed_demo_loads_a_year_of_business_through_the_services(app, client, auth, monkeypatch):
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
    subscriptions = db.session.scalars(select(Subscription).where(Subscription.payer_id == reseller.id)).all()
    pending = db.session.scalars(select(ScheduledChange).where(ScheduledChange.status == "scheduled")).all()
    invoices = db.session.scalars(select(Invoice).where(Invoice.organisation_id == reseller.id)).all()
    statuses = Counter(invoice.status for invoice in invoices)
    actions = Counter(db.session.scalars(select(ActivityEntry.action).where(ActivityEntry.organisation_id == reseller.id)))
    summary = {
        # A, B and C, and eleven new ones bought for during the year
        "customers": len(customers),
        "subscriptions": Counter(subscription.status for subscription in subscriptions),
        "single-user": Counter(s.status for s in subscriptions if s.plan.kind == "single_user"),
        # every fulfillment request was provisioned by the runner, none left pending or failed
        "request states": set(db.session.scalars(select(FulfillmentRequest.state))),
        # two decreases wait for the next period (pending in the reseller's table), dated after today
        "pending decreases": len(pending), "pending after today": all(change.effective_at > TODAY for change in pending),
        # twelve months of invoices, paid but for the last weeks'
        "invoice months": len({(invoice.issued_at.year, invoice.issued_at.month) for invoice in invoices}) >= 12,
        "invoices within the year": TODAY - timedelta(days=DAYS) <= min(i.issued_at for i in invoices) <= max(i.issued_at for i in invoices) < TODAY,
        "most paid": statuses["paid"] > 100, "some open": 0 < statuses["open"] < 40,
        "orders": db.session.scalar(select(func.count(Order.id)).where(Order.buyer_id == reseller.id)),
        "logged": (actions["order.placed"], actions["subscription.canceled"], actions["subscription.resumed"]),
    }
    assert summary == {
        "customers": 14, "subscriptions": {"active": 14, "canceled": 1, "expired": 1}, "single-user": {"active": 2},
        "request states": {"completed"}, "pending decreases": 2, "pending after today": True, "invoice months": True,
        "invoices within the year": True, "most paid": True, "some open": True, "orders": 16 + 4, "logged": (16, 3, 1),
    }, (summary, dict(statuses))
    # the demo logins still work
    for email in ("admin@reseller-one.example", "member@reseller-one.example", "admin@customer-a.example"):
        assert db.session.scalar(select(User).where(User.email == email)).check_password(DEMO_PASSWORD)
    # and the reseller's pages have something true to show on first sign-in
    auth.login("admin@reseller-one.example", DEMO_PASSWORD)
    billing = client.get("/reseller/billing").get_data(as_text=True)
    assert "data-credit-used" in billing and billing.count("data-invoice=") == 5
    assert client.get("/reseller/activity").get_data(as_text=True).count("data-activity=") == 25
    assert client.get("/reseller/invoices").get_data(as_text=True).count("data-invoice=") == 20
    # and running it again changes nothing
    again = runner.invoke(args=["seed-demo"])
    assert "nothing changed" in again.output
    assert db.session.scalar(select(func.count(Subscription.id))) == len(subscriptions)

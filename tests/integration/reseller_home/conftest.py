"""A reseller's book of business for the home page's tests, on a fixed clock (11 February 2026).

Reseller One's customers hold: Customer A monthly, 8 seats, active (margin 200 + 3 x 100 = 500 a
month); Customer B annual, 12 seats, active (2,400 + 7 x 1,200 = 10,800 a year: 900 a month);
Customer A monthly, 6 seats, a decrease to 5 scheduled for 1 March (pending); Customer B
monthly, 10 seats, canceled (ends 1 March); a single-user subscription of "Solo" (1 seat,
shown as its user's e-mail); a subscription still provisioning (no prices locked: no margin);
an expired one (never shown nor counted). Reseller One's own subscription and Reseller Two's
customer's are not in the overview.
"""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.plans.lifecycle import cancel
from app.plans.models import ScheduledChange, Subscription, SubscriptionResource
from tests import factories
from tests.integration.plans.conftest import subscribe  # noqa: F401  (fixture)
from tests.integration.subscriptions.conftest import clock  # noqa: F401  (fixture)

FEB_1 = datetime(2026, 2, 1, 9)
JAN_20 = datetime(2026, 1, 20, 9)
MAR_1 = datetime(2026, 3, 1, 9)


@pytest.fixture
def book(world, subscribe, clock):
    f = factories
    solo = f.make_customer(world.reseller, name="Solo Account", marketplace=world.us)
    f.make_user(solo, "solo.dev@example.test")
    single = f.make_plan(world.product, distributor=world.distributor, marketplace=world.us, kind="single_user",
                         cost=500, msrp=900, code="plus")
    f.add_plan_resource(single, world.seats, distributor=world.distributor, marketplace=world.us, included=1,
                        minimum=1, maximum=1, cost=0, msrp=0)
    db.session.commit()

    a_monthly = subscribe(FEB_1, seats=8)
    b_annual = subscribe(JAN_20, seats=12, term="annual", owner=world.second_customer)
    pending_change = subscribe(FEB_1, seats=6)
    db.session.add(ScheduledChange(subscription_id=pending_change.id, quantities={str(world.seats.id): 5},
                                   effective_at=MAR_1, created_at=FEB_1))
    canceled = subscribe(FEB_1, seats=10, owner=world.second_customer)
    cancel(canceled.id, datetime(2026, 2, 5, 10))
    solo_sub = Subscription(owner_id=solo.id, payer_id=world.reseller.id, plan_id=single.id, plan_term_id=single.terms[0].id,
                            marketplace_id=world.us.id, currency="USD",
                            resources=[SubscriptionResource(resource_id=world.seats.id, quantity=1)])
    db.session.add(solo_sub)
    db.session.flush()
    from app.plans.lifecycle import activate

    activate(solo_sub.id, FEB_1)
    provisioning = factories.make_subscription(world.customer, world.customer_plan, payer=world.reseller, status="pending")
    provisioning.resources = [SubscriptionResource(resource_id=world.seats.id, quantity=7)]
    expired = subscribe(FEB_1, seats=40)
    expired.status = "expired"
    own = subscribe(FEB_1, seats=9, plan=world.reseller_plan, owner=world.reseller)
    foreign = subscribe(FEB_1, seats=20, owner=world.foreign_customer, payer=world.other_reseller)
    db.session.commit()
    return SimpleNamespace(world=world, solo=solo, single_plan=single, a_monthly=a_monthly, b_annual=b_annual,
                           pending_change=pending_change, canceled=canceled, solo_sub=solo_sub, provisioning=provisioning,
                           expired=expired, own=own, foreign=foreign)

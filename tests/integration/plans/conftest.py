"""Subscriptions of the ``world`` fixture, activated at a chosen moment.

World prices (US, per month): the customer plan costs 800 / MSRP 1000, a seat above the five
included 200 / 300; Customer A's reseller set no price, so the customer pays the MSRP."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.extensions import db
from app.plans.lifecycle import activate
from app.plans.models import Subscription, SubscriptionResource
from tests import factories


@pytest.fixture
def subscribe(world):
    """``subscribe(at, seats=8, plan=None, term="monthly", postponed=False, owner=None, payer=None)``:
    an active subscription of Customer A paid by Reseller One unless told otherwise."""

    def build(at: datetime, seats: int = 8, plan=None, term: str = "monthly", postponed: bool = False,
              owner=None, payer=None) -> Subscription:
        plan = plan or world.customer_plan
        owner = owner or world.customer
        payer = payer or world.reseller
        plan_term = next(t for t in plan.terms if t.code == term)
        subscription = Subscription(
            owner_id=owner.id, payer_id=payer.id, plan_id=plan.id, plan_term_id=plan_term.id,
            marketplace_id=world.us.id, currency="USD", postponed_billing=postponed,
            resources=[SubscriptionResource(resource_id=world.seats.id, quantity=seats),
                       SubscriptionResource(resource_id=world.quickstart.id, quantity=0)],
        )
        db.session.add(subscription)
        db.session.flush()
        activate(subscription.id, at)
        db.session.commit()
        return subscription

    return build


@pytest.fixture
def make_plan_with_seats(world):
    """``make_plan_with_seats(payment_model=..., **policy_columns)``: another customer plan with
    the world's seats (5 included) and QuickStart, priced like the world's customer plan."""

    def build(payment_model="prepaid", **policy):
        plan = factories.make_plan(world.product, distributor=world.distributor, marketplace=world.us,
                                   terms=(("monthly", 1), ("annual", 12)), code=factories.unique("plan"),
                                   payment_model=payment_model)
        for column, value in policy.items():  # decrease_policy, decrease_window_days, cancel_...
            setattr(plan, column, value)
        factories.add_plan_resource(plan, world.seats, distributor=world.distributor, marketplace=world.us,
                                    included=5, minimum=5, maximum=100, cost=200, msrp=300)
        factories.add_plan_resource(plan, world.quickstart, distributor=world.distributor, marketplace=world.us,
                                    maximum=1, cost=20000, msrp=25000)
        db.session.commit()
        return plan

    return build

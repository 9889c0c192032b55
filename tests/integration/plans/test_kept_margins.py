"""Each subscription keeps its margin per billing period and per month (``period_margin``,
``monthly_margin``: what the reseller home shows and sorts by) equal to what
``app.plans.margins.kept_margins`` computes from its locked prices, quantities and plan, whoever
writes them: activation, a change of quantities, a renewal applying a decrease, a plan's included
quantity edited in the back office, a direct write of the locked prices.

World prices (US, per month): the customer plan costs 800 / MSRP 1000 (margin 200), a seat above
the five included 200 / 300 (margin 100); Customer A pays the MSRP."""
from datetime import datetime

from app.catalog.admin import LimitFields, save_plan_resource
from app.extensions import db
from app.plans.changes import apply_quantities, schedule_decrease
from app.plans.lifecycle import activate, close_period
from app.plans.margins import kept_margins
from app.plans.models import Subscription, SubscriptionResource
from app.plans.term_prices import locked_prices_of

JAN_31 = datetime(2026, 1, 31, 10)
FEB_28 = datetime(2026, 2, 28, 10)


def kept(subscription_id: int) -> tuple[int | None, int | None]:
    """The subscription's kept margins, read afresh, after checking them against the rule."""
    db.session.expire_all()
    subscription = db.session.get(Subscription, subscription_id)
    plan_resources = subscription.plan.resources
    expected = kept_margins(subscription.locked_prices, {row.resource_id: row.quantity for row in subscription.resources},
                            {row.resource_id: row.included for row in plan_resources},
                            [row.resource_id for row in plan_resources if row.resource.kind == "recurring"],
                            subscription.plan_term.billing_frequency_months)
    assert (subscription.period_margin, subscription.monthly_margin) == expected
    return expected


def test_activation_changes_and_renewals_keep_the_margins(world, subscribe):
    subscription = subscribe(JAN_31, seats=8)
    assert kept(subscription.id) == (200 + 3 * 100, 500)

    apply_quantities(subscription.id, {world.seats.id: 10}, datetime(2026, 2, 10))
    db.session.commit()
    assert kept(subscription.id) == (200 + 5 * 100, 700)

    schedule_decrease(subscription.id, {world.seats.id: 6}, datetime(2026, 2, 11))
    db.session.commit()
    assert kept(subscription.id) == (700, 700)  # a decrease waits for the period's end
    close_period(subscription.id, FEB_28)
    db.session.commit()
    assert kept(subscription.id) == (200 + 1 * 100, 300)


def test_a_pending_subscription_keeps_no_margin_until_its_prices_are_locked(world):
    subscription = Subscription(owner_id=world.customer.id, payer_id=world.reseller.id, plan_id=world.customer_plan.id,
                                plan_term_id=world.customer_plan.terms[0].id, marketplace_id=world.us.id, currency="USD",
                                resources=[SubscriptionResource(resource_id=world.seats.id, quantity=7)])
    db.session.add(subscription)
    db.session.commit()
    assert kept(subscription.id) == (None, None)

    activate(subscription.id, JAN_31)
    db.session.commit()
    assert kept(subscription.id) == (200 + 2 * 100, 400)


def test_an_annual_subscriptions_monthly_margin_is_its_period_margin_over_twelve_months(subscribe):
    subscription = subscribe(JAN_31, seats=8, term="annual")
    period, per_month = kept(subscription.id)
    assert period is not None and per_month == round(period / 12)


def test_locked_prices_written_directly_and_a_plans_included_quantity_edited_keep_the_margins(world, subscribe):
    subscription = subscribe(JAN_31, seats=8)
    other = subscribe(JAN_31, seats=6)
    prices = locked_prices_of(subscription).to_json()
    prices["plan"]["customer"] = 1100
    db.session.get(Subscription, subscription.id).locked_prices = prices
    db.session.commit()
    assert kept(subscription.id) == (300 + 3 * 100, 600)

    save_plan_resource(world.customer_plan, world.seats.id, LimitFields(included=7, minimum=5, maximum=100, step=1))
    db.session.commit()
    assert kept(subscription.id) == (300 + 1 * 100, 400)
    assert kept(other.id) == (200, 200)  # 6 seats, all included now

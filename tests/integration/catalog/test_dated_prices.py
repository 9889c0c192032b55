"""Dated prices: the price book, the storefront (and its cache) and subscriptions read the
price in effect at the app clock's now; a running subscription keeps its locked price until its
next term."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.catalog.models import PlanTermPrice, ResourcePrice
from app.catalog.price_schedule import price_epoch, upcoming_price_dates
from app.catalog.pricing import PriceBook, PriceNotSet, viewer_for
from app.core.clock import FixedClock
from app.extensions import db
from app.money import Money
from app.plans.lifecycle import activate, close_period
from app.plans.models import Subscription, SubscriptionResource
from app.plans.term_prices import locked_prices_of, term_prices_now
from tests import factories as f

JAN_31 = datetime(2026, 1, 31, 10)
FEB_15 = datetime(2026, 2, 15, 0, 0)
FEB_28 = datetime(2026, 2, 28, 10)


def monthly(plan):
    return next(term for term in plan.terms if term.code == "monthly")


def distributor_list(world):
    return f.price_list(world.distributor, world.us)


def dated_plan_price(world, term, at, **prices) -> PlanTermPrice:
    row = PlanTermPrice(price_list=distributor_list(world), plan_term=term, effective_from=at, **prices)
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def clock(app, monkeypatch):
    clock = FixedClock(FEB_15 - timedelta(seconds=1))
    monkeypatch.setitem(app.config, "CLOCK", clock)
    return clock


def at(clock, moment):
    clock._moment = moment


def test_the_book_reads_the_old_price_before_the_date_and_the_new_one_from_it(world, clock):
    term = monthly(world.customer_plan)
    dated_plan_price(world, term, FEB_15, cost=900, msrp=1200)
    db.session.add(ResourcePrice(price_list=distributor_list(world), plan_term=term, resource=world.seats,
                                 effective_from=FEB_15, cost=250, msrp=350))
    db.session.commit()
    before = PriceBook(viewer_for(world.reseller), world.us)
    assert (before.plan_term(term.id), before.resource(term.id, world.seats.id)) == (Money(800, "USD"), Money(200, "USD"))
    at(clock, FEB_15)
    from_then = PriceBook(viewer_for(world.reseller), world.us)
    assert (from_then.plan_term(term.id), from_then.resource(term.id, world.seats.id)) == (Money(900, "USD"), Money(250, "USD"))
    assert PriceBook(viewer_for(None), world.us).plan_term(term.id) == Money(1200, "USD")
    # an explicit moment wins over the clock
    assert PriceBook(viewer_for(None), world.us, at=FEB_15 - timedelta(days=1)).plan_term(term.id) == Money(1000, "USD")


def test_a_reseller_s_dated_customer_price_applies_from_its_date_over_its_earlier_one(world, clock):
    term = monthly(world.customer_plan)
    f.set_reseller_price(world.reseller, world.us, term, amount=1100)
    db.session.add(PlanTermPrice(price_list=f.price_list(world.reseller, world.us), plan_term=term,
                                 effective_from=FEB_15, markup_bp=5000))  # 800 * 1.5
    db.session.commit()
    assert PriceBook(viewer_for(world.customer), world.us).plan_term(term.id) == Money(1100, "USD")
    at(clock, FEB_15 + timedelta(days=30))
    tiers = PriceBook(viewer_for(world.customer), world.us).plan_term_tiers(term.id)
    assert (tiers.cost, tiers.msrp, tiers.customer) == (800, 1000, 1200)


def test_an_item_taken_off_the_list_from_a_date_is_not_sold_from_then(world, clock, client):
    for term in world.customer_plan.terms + world.reseller_plan.terms:
        dated_plan_price(world, term, FEB_15)  # no cost, no MSRP: off the list
    term = monthly(world.customer_plan)
    assert PriceBook(viewer_for(None), world.us).has_plan_term(term.id)
    assert "Sync Tool" in client.get("/catalog/").get_data(as_text=True)
    at(clock, FEB_15)
    book = PriceBook(viewer_for(None), world.us)
    assert not book.has_plan_term(term.id)
    with pytest.raises(PriceNotSet):
        book.plan_term(term.id)
    assert "Sync Tool" not in client.get("/catalog/").get_data(as_text=True)


def test_the_cached_storefront_shows_a_scheduled_price_at_its_date_and_not_before(world, clock, client, count_queries):
    # Given the storefront seen (and cached) with a price change dated 15 February
    for term in world.customer_plan.terms:
        dated_plan_price(world, term, FEB_15, cost=term.period_months * 800, msrp=term.period_months * 1250)
    assert "$10.00" in client.get("/catalog/").get_data(as_text=True)
    assert "$10.00" in client.get("/products/sync-tool?audience=customer").get_data(as_text=True)
    with count_queries() as counter:
        assert "$10.00" in client.get("/catalog/").get_data(as_text=True)
    assert counter.count == 0  # served from the cache
    # When the clock reaches the date, with no write at all
    at(clock, FEB_15)
    # Then the very next pages show the new price
    assert "$12.50" in client.get("/catalog/").get_data(as_text=True)
    assert "$12.50" in client.get("/products/sync-tool?audience=customer").get_data(as_text=True)
    with count_queries() as counter:
        client.get("/catalog/")
    assert counter.count == 0  # and are cached again


def test_the_price_epoch_moves_only_when_a_dated_price_comes_into_effect(world, clock):
    term = monthly(world.customer_plan)
    dated_plan_price(world, term, FEB_15, cost=900, msrp=1200)
    dated_plan_price(world, term, FEB_28, cost=950, msrp=1300)
    assert upcoming_price_dates(FEB_15 - timedelta(days=1), 10) == [FEB_15, FEB_28]
    first = price_epoch()
    assert price_epoch(FEB_15 - timedelta(microseconds=1)) == first
    assert price_epoch(FEB_15) == price_epoch(FEB_28 - timedelta(seconds=1)) != first
    assert price_epoch(FEB_28) not in (first, price_epoch(FEB_15))


def test_a_running_subscription_keeps_its_price_until_its_next_term(world, clock):
    # Given Customer A's monthly subscription activated on 31 January at its reseller's 1100
    term = monthly(world.customer_plan)
    f.set_reseller_price(world.reseller, world.us, term, amount=1100)
    subscription = Subscription(owner_id=world.customer.id, payer_id=world.reseller.id, plan_id=world.customer_plan.id,
                                plan_term_id=term.id, marketplace_id=world.us.id, currency="USD",
                                resources=[SubscriptionResource(resource_id=world.seats.id, quantity=5),
                                           SubscriptionResource(resource_id=world.quickstart.id, quantity=0)])
    db.session.add(subscription)
    db.session.flush()
    activate(subscription.id, JAN_31)
    # and new prices from 15 February: the distributor's cost 900, the reseller's price 1400
    dated_plan_price(world, term, FEB_15, cost=900, msrp=1200)
    db.session.add(PlanTermPrice(price_list=f.price_list(world.reseller, world.us), plan_term=term,
                                 effective_from=FEB_15, amount=1400))
    db.session.commit()
    # When the clock passes the date, the running term still has its locked prices
    at(clock, FEB_15 + timedelta(days=2))
    subscription = db.session.get(Subscription, subscription.id)
    locked = locked_prices_of(subscription).plan
    assert (locked.cost, locked.customer) == (800, 1100)
    assert term_prices_now(subscription).plan.customer == 1100
    # Then the renewal on 28 February bills the new term at the new prices and locks them
    at(clock, FEB_28)
    closed = close_period(subscription.id, FEB_28)
    db.session.commit()
    assert (closed.billing_period.customer_amount, closed.billing_period.reseller_amount) == (1400, 900)
    renewed = locked_prices_of(db.session.get(Subscription, subscription.id)).plan
    assert (renewed.cost, renewed.msrp, renewed.customer) == (900, 1200, 1400)


def test_prices_are_unique_per_list_item_and_date(world):
    term = monthly(world.customer_plan)
    db.session.add(PlanTermPrice(price_list=distributor_list(world), plan_term=term, cost=1, msrp=2))
    with pytest.raises(Exception):
        db.session.commit()
    db.session.rollback()
    assert len(db.session.scalars(select(PlanTermPrice).where(PlanTermPrice.plan_term_id == term.id)).all()) == 1


def test_the_panels_plan_lists_count_only_plans_priced_now_like_the_storefront(world, clock):
    from app.catalog.offers import plan_offers_page

    # Given a plan priced only from Feb 15, and one taken off the list on Jan 31
    later = f.make_plan(world.product, distributor=world.distributor, marketplace=world.us, code="later")
    for row in db.session.scalars(select(PlanTermPrice).where(PlanTermPrice.plan_term_id == monthly(later).id)):
        row.effective_from = FEB_15
    withdrawn = f.make_plan(world.product, distributor=world.distributor, marketplace=world.us, code="withdrawn")
    dated_plan_price(world, monthly(withdrawn), JAN_31, cost=None, msrp=None)

    def listed():
        page = plan_offers_page(world.customer, world.us, "customer")
        return page.total, [offer.plan.code for offer in page.offers]

    # Then the panel's list counts and shows what is sold now, as the storefront does
    assert listed() == (1, ["for-customers"])
    at(clock, FEB_15)
    assert listed() == (2, ["for-customers", "later"])

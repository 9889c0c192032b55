"""Fourteen months of a marketplace, day by day, through the real services: 21 subscriptions
bought through the checkout (or, for card payers, handed to provisioning as card orders),
provisioned, changed, cancelled, resumed, suspended for an unpaid card and resumed when paid,
with the lifecycle duties run at 23:00 every day on a travel clock. Fulfillment requests are
completed inline through provisioning's ``record_outcome``.

Prices (US marketplace, 10 % tax, reseller cost, per month unless said): customer plan 800,
reseller plan 1600 (annual 19200, then 21600 from 1 August 2026), a seat above the five
included 200 (annual 2400). Every payer is a reseller, so it pays its cost.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.billing.models import Invoice
from app.catalog.models import PlanTermPrice
from app.extensions import db
from app.orders.change_lines import ChangeRequest, place_change_order, preview_change
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import Beneficiary, LineRequest
from app.orders.models import OrderLine
from app.payments.cards import set_default_card
from app.plans.actions import cancel_subscription, resume_subscription
from app.core.clock import TravelClock
from app.plans.collection import charge_now
from app.plans.duties import run_duties
from app.plans.models import BillingPeriod, Subscription
from app.plans.queries import subscription_counts
from app.provisioning.connectors.base import Outcome
from app.provisioning.handoff import hand_off
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import record_outcome
from tests import factories
from tests.stripe_support import DECLINED_AT_PAYMENT, VISA

START, END = datetime(2026, 1, 10), datetime(2027, 3, 10)
NOON, DUTIES = timedelta(hours=12), timedelta(hours=23)


class Market:
    """The world, a travel clock, and the services a buyer would call through the pages."""

    def __init__(self, world, clock: TravelClock) -> None:
        self.world, self.clock = world, clock

    def term(self, plan, code="monthly"):
        return next(term for term in plan.terms if term.code == code)

    def buy(self, plan, seats: int, owner=None, term="monthly", postponed=False) -> Subscription:
        """Reseller One orders through the checkout, on account; provisioning completes it."""
        world, now = self.world, self.clock.now()
        beneficiary = Beneficiary.customer(owner.id) if owner is not None else Beneficiary.self_()
        line = LineRequest(self.term(plan, term).id, {"seats": seats, "quickstart": 0}, {}, beneficiary, postponed)
        preview = prepare(world.reseller, world.us, [line])
        order = place_order(CheckoutRequest(world.reseller, world.users.reseller, world.us, [line], uuid.uuid4().hex,
                                            preview.quote.fingerprint, frozenset(t.token for t in preview.terms)), now)
        self.complete_requests()
        return db.session.get(Subscription, order.lines[0].subscription_id)

    def buy_by_card(self, payer, plan, seats: int) -> Subscription:
        """A card order of ``payer`` for itself (paid at checkout by the card flow, issue 5)."""
        order = factories.make_order(payer, [{"plan": plan, "quantities": {"seats": seats, "quickstart": 0}}])
        order.payment_method = "card"
        hand_off(order, self.clock.now())
        db.session.commit()
        self.complete_requests()
        return db.session.get(Subscription, order.lines[0].subscription_id)

    def change(self, subscription: Subscription, seats: int):
        """Change resource limits as the page does: quote, then confirm that quote."""
        now, requested = self.clock.now(), {self.world.seats.id: seats}
        preview = preview_change(db.session.get(Subscription, subscription.id), requested, now)
        db.session.rollback()
        placed = place_change_order(ChangeRequest(subscription.id, requested, preview.change.fingerprint,
                                                  uuid.uuid4().hex, self.world.users.reseller), now)
        self.complete_requests()
        return placed

    def act(self, action, subscription: Subscription) -> None:
        action(subscription.id, self.clock.now())
        db.session.commit()
        self.complete_requests()

    def complete_requests(self) -> None:
        """The vendor answers every pending request "done" (provisioning's outcome path)."""
        pending = db.session.scalars(select(FulfillmentRequest.id).where(FulfillmentRequest.state == "pending")).all()
        db.session.rollback()
        for request_id in pending:
            assert record_outcome(request_id, None, Outcome.done(f"V-{request_id}"), self.clock.now())


def invoices_of(subscription: Subscription) -> list[Invoice]:
    by_order = select(Invoice.id).join(OrderLine, OrderLine.order_id == Invoice.order_id).where(
        OrderLine.subscription_id == subscription.id)
    by_period = select(BillingPeriod.invoice_id).where(BillingPeriod.subscription_id == subscription.id)
    return list(db.session.scalars(select(Invoice).where(Invoice.id.in_(by_order.union(by_period))).order_by(Invoice.id)))


def totals(subscription) -> list[int]:
    return [invoice.total for invoice in invoices_of(subscription)]


def request_types(subscription) -> list[str]:
    return list(db.session.scalars(select(FulfillmentRequest.type).where(
        FulfillmentRequest.subscription_id == subscription.id).order_by(FulfillmentRequest.id)))


@pytest.fixture
def market(world, localstripe, make_plan_with_seats, app, monkeypatch):
    factories.make_billing_info(world.reseller)  # the checkout asks who to invoice before a first order
    world.reseller.credit_limit = 100_000_000
    world.customer_plan.postponed_billing_allowed = True
    db.session.commit()
    clock = TravelClock(START + NOON)
    monkeypatch.setitem(app.config, "CLOCK", clock)
    return Market(world, clock)


def test_fourteen_months_of_subscriptions_bill_exactly_the_amounts_worked_out_by_hand(market, world, localstripe,
                                                                                     make_plan_with_seats):
    postpaid = make_plan_with_seats(payment_model="postpaid")
    card_reseller = factories.make_reseller(world.distributor, name="Card Reseller", marketplace=world.us)
    visa_reseller = factories.make_reseller(world.distributor, name="Visa Reseller", marketplace=world.us)
    db.session.commit()
    set_default_card(card_reseller, localstripe.card(DECLINED_AT_PAYMENT))
    set_default_card(visa_reseller, localstripe.card(VISA))
    a_customer, b_customer = world.customer, world.second_customer
    plan, reseller_plan = world.customer_plan, world.reseller_plan
    subs: dict[str, Subscription] = {}

    def at(day: datetime):
        return day.year, day.month, day.day

    # What happens, by day (at noon): the five subscriptions of the hand-made table are A to E.
    events = {
        (2026, 1, 10): [lambda: subs.update(A=market.buy(plan, 8, a_customer)),
                        lambda: subs.update(F=market.buy(plan, 6, a_customer))],
        (2026, 1, 15): [lambda: subs.update(C=market.buy(postpaid, 6, b_customer))],
        (2026, 1, 20): [lambda: market.change(subs["C"], 9)],
        (2026, 1, 25): [lambda: market.change(subs["C"], 7)],  # scheduled for 15 February
        (2026, 2, 1): [lambda: subs.update(B=market.buy(reseller_plan, 7, term="annual"))],
        (2026, 2, 2): [lambda: subs.update(G=market.buy(plan, 5, b_customer))],
        (2026, 3, 3): [lambda: subs.update(D=market.buy(plan, 5, b_customer, postponed=True))],
        (2026, 3, 5): [lambda: market.act(cancel_subscription, subs["G"])],
        (2026, 3, 20): [lambda: market.change(subs["A"], 10), lambda: market.act(resume_subscription, subs["G"])],
        (2026, 4, 5): [lambda: subs.update(E=market.buy_by_card(card_reseller, reseller_plan, 6)),
                       lambda: subs.update(I=market.buy_by_card(visa_reseller, reseller_plan, 5))],
        (2026, 4, 20): [lambda: market.act(cancel_subscription, subs["F"])],
        (2026, 5, 1): [lambda: market.change(subs["B"], 8),
                       lambda: subs.update(H=market.buy(plan, 5, a_customer, postponed=True))],
        (2026, 5, 15): [lambda: market.act(cancel_subscription, subs["H"])],
        (2026, 6, 10): [lambda: set_default_card(card_reseller, localstripe.card(VISA)),
                        lambda: (charge_now(subs["E"].id, market.clock.now()), db.session.commit())],
        (2026, 6, 15): [lambda: market.change(subs["A"], 6)],  # scheduled for 10 July
        (2026, 8, 1): [raise_the_annual_reseller_plan_price(reseller_plan, world)],
    }
    for number in range(12):  # twelve more, bought over the first weeks: monthly and annual, on account
        events.setdefault((2026, 1, 11 + number), []).append(
            lambda number=number: subs.update({f"filler{number}": market.buy(plan, 5 + number % 4, (a_customer, b_customer)[number % 2],
                                                                              term=("monthly", "annual")[number % 3 == 0])}))

    day = START
    while day <= END:
        market.clock.travel_to(day + NOON)
        for event in events.get(at(day), []):
            event()
        market.clock.travel_to(day + DUTIES)
        report = run_duties(market.clock.now())
        assert report.errors == 0, (day, report)
        market.complete_requests()
        if at(day) == (2026, 5, 10):
            suspended = db.session.get(Subscription, subs["E"].id, populate_existing=True)
            assert (suspended.status, suspended.charge_attempts, suspended.suspended_at) == ("suspended", 4, day + DUTIES)
        day += timedelta(days=1)

    # A: monthly, 8 seats (3 above the 5 included): 800 + 3 x 200 = 1400, + 10 % tax = 1540.
    #    20 March, 2 seats more for the 21 days left of the 31 from 10 March: 200 x 2 x 21/31 =
    #    270.97 -> 271, + 27.1 -> 27 tax = 298. From 10 April: 800 + 5 x 200 = 1800 + 180 = 1980.
    #    Decrease to 6 scheduled on 15 June, from 10 July: 800 + 200 = 1000 + 100 = 1100.
    assert totals(subs["A"]) == [1540, 1540, 1540, 298, 1980, 1980, 1980] + [1100] * 9  # July 2026 to March 2027
    # B: annual reseller plan for itself, 7 seats: 19200 + 2 x 2400 = 24000 + 2400 = 26400.
    #    1 May, one seat more for 276 of 365 days: 2400 x 276/365 = 1814.79 -> 1815, + 181.5 -> 182 = 1997.
    #    The new term on 1 February 2027 locks the price raised on 1 August: 21600 + 3 x 2400 = 28800 + 2880 = 31680.
    assert totals(subs["B"]) == [26400, 1997, 31680]
    # C: postpaid, 6 seats, nothing at the order; 9 seats from 20 January, 7 scheduled for 15 February:
    #    the first period bills its peak, 9: 800 + 4 x 200 = 1600 + 160 = 1760; then 7 seats each month:
    #    800 + 2 x 200 = 1200 + 120 = 1320, in arrears from 15 March 2026 to 15 February 2027.
    assert totals(subs["C"]) == [0, 1760] + [1320] * 12
    # D: a free first month from 3 March: nothing at the order; from 3 April, 800 + 80 = 880 a month in advance.
    assert totals(subs["D"]) == [0] + [880] * 12
    # E: by card, reseller plan monthly, 6 seats: 1600 + 200 = 1800 + 180 = 1980. The 5 May renewal is
    #    declined on 5, 6, 8 and 10 May (1, 3 and 5 days after the first) -> suspended; the period ending
    #    5 June waits. A new card on 10 June pays it and resumes; 11 June renews from 5 June, then monthly.
    assert totals(subs["E"]) == [1980] * 11
    assert {invoice.status for invoice in invoices_of(subs["E"])} == {"paid"}
    assert request_types(subs["E"]) == ["purchase", "suspend", "resume"]
    assert len([i for i in localstripe.payment_intents() if i["status"] != "succeeded"]) == 4

    final = {name: db.session.get(Subscription, s.id, populate_existing=True) for name, s in subs.items()}
    assert (final["F"].status, final["F"].expired_at) == ("expired", datetime(2026, 5, 10, 12))
    assert request_types(final["F"]) == ["purchase", "cancel"] and totals(final["F"]) == [1100] * 4
    assert final["G"].status == "active" and request_types(final["G"]) == ["purchase", "resume"]
    assert final["H"].status == "expired" and sum(totals(final["H"])) == 0  # cancelled in its free month
    assert request_types(final["A"]) == ["purchase", "change", "change"]  # the increase, then the renewal's decrease
    assert totals(final["I"]) == [1760] * 11  # 1600 + 160 tax, by card, from 5 May
    assert len(final) == 21 and {s.status for s in final.values()} == {"active", "expired"}
    counts = subscription_counts(Subscription.payer_id == world.reseller.id)
    assert (counts.total, counts.canceled) == (17, 0)

    again = run_duties(market.clock.now())  # the same day once more: nothing left to do
    assert (again.renewed, again.expired, again.invoiced, again.charges) == (0, 0, 0, {})


def raise_the_annual_reseller_plan_price(plan, world):
    def raise_price():
        row = db.session.scalar(select(PlanTermPrice).where(PlanTermPrice.plan_term_id == next(
            t.id for t in plan.terms if t.code == "annual")))
        row.cost = 21_600
        db.session.commit()

    return raise_price

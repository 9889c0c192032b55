"""A customer's history through the real checkout and lifecycle, for the reconciliation's and
the reseller home chart's tests: Customer A buys 8 seats on 1 February, raises them to 10 on
11 February; renewed on 1 March.

World prices (US, per month): the customer plan costs 800 / MSRP 1000 with five seats
included, a seat above them 200 / 300; Reseller One set no price, so Customer A pays the MSRP."""
from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest

from app.core.clock import FixedClock
from app.extensions import db
from app.orders.change_lines import ChangeRequest, place_change_order, preview_change
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import LineRequest
from app.plans.duties import run_duties
from app.plans.lifecycle import activate
from app.plans.models import Subscription
from tests.integration.checkout.conftest import handed_off, shop  # noqa: F401  (fixtures)
from tests.integration.checkout.helpers import term_of

FEB_1 = datetime(2026, 2, 1, 9)  # a 28-day period: 1 February 09:00 to 1 March 09:00
FEB_11 = datetime(2026, 2, 11, 15)  # 18 days left
MAR_1 = datetime(2026, 3, 1, 9)


@pytest.fixture
def at(app, monkeypatch):
    """``at(moment)``: the app's clock stands at ``moment``."""
    def set_clock(moment):
        monkeypatch.setitem(app.config, "CLOCK", FixedClock(moment))

    return set_clock


@pytest.fixture
def buy(shop, at):
    """``buy(moment, seats=8, for_customer=None)``: Customer A buys the customer plan for itself
    (at the MSRP) on account, or Reseller One buys it for ``for_customer`` (a ``Beneficiary``,
    at its cost); activated at once. Returns the subscription's id."""
    def place(moment: datetime, seats: int = 8, for_customer=None) -> int:
        at(moment)
        buyer, user = (shop.customer, shop.users.customer) if for_customer is None else (shop.reseller, shop.users.reseller)
        buyer.credit_limit = 1_000_000
        db.session.commit()
        extra = () if for_customer is None else ({}, for_customer)
        lines = [LineRequest(term_of(shop.customer_plan).id, {"seats": seats}, *extra)]
        preview = prepare(buyer, shop.us, lines, placed_by=user)
        order = place_order(CheckoutRequest(buyer, user, shop.us, lines, uuid4().hex, preview.quote.fingerprint,
                                            frozenset(t.token for t in preview.terms)), moment)
        subscription_id = order.lines[0].subscription_id
        activate(subscription_id, moment)
        db.session.commit()
        return subscription_id

    return place


@pytest.fixture
def change_seats(shop, at):
    """``change_seats(subscription_id, seats, moment)``: Customer A changes its seats through
    the checkout's change order (an increase is prorated; a refund is a credit)."""
    def place(subscription_id: int, seats: int, moment: datetime) -> None:
        at(moment)
        subscription = db.session.get(Subscription, subscription_id)
        requested = {shop.seats.id: seats}
        change = preview_change(subscription, requested, moment, by_customer=True)
        place_change_order(ChangeRequest(subscription_id, requested, change.change.fingerprint, uuid4().hex,
                                         placed_by=shop.users.customer, by_customer=True), moment)

    return place


@pytest.fixture
def history(app, shop, handed_off, at, buy, change_seats):
    """Customer A buys 8 seats on 1 February, raises them to 10 on 11 February; renewed on 1 March."""
    subscription_id = buy(FEB_1)
    change_seats(subscription_id, 10, FEB_11)
    at(MAR_1)
    run_duties(MAR_1)
    db.session.commit()
    return subscription_id

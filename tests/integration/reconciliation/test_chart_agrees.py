"""The reseller home's chart and the reconciliation are one rule (``app.reconciliation.amounts``):
each month's bars are the sums of that month's reconciliation rows, at both tiers, whoever
bought (a customer at its price, its reseller at its cost) and whatever was charged (a
purchase, a proration, a refund, a renewal)."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.extensions import db
from app.orders.lines import Beneficiary
from app.reconciliation.monthly import billed_by_month
from app.reconciliation.rows import reconciliation_rows
from tests.integration.reconciliation.conftest import FEB_1, FEB_11

FEB_13 = datetime(2026, 2, 13, 9)  # two days after the increase: within a 7-day window, 16 of 28 days left
MAR_5 = datetime(2026, 3, 5, 9)


def _month_sums(reseller, year: int, month: int) -> tuple[int, int]:
    rows = reconciliation_rows(reseller, year, month)
    return sum(row.price_amount or 0 for row in rows), sum(row.cost_amount or 0 for row in rows)


def _chart_month(reseller, year: int, month: int) -> tuple[int, int]:
    (series,) = billed_by_month(reseller.id, MAR_5)
    amounts = next(m for m in series.months if (m.month.year, m.month.month) == (year, month))
    return amounts.revenue, amounts.cost


def test_each_months_bars_are_the_sums_of_the_months_reconciliation_rows(shop, history, buy):
    # given the history (bought, raised, renewed) and Reseller One buying 6 seats for Customer A at its cost
    buy(datetime(2026, 2, 20, 10), seats=6, for_customer=Beneficiary.customer(shop.customer.id))
    reseller = shop.reseller

    # then February and March agree, and February holds both purchases and the proration
    assert _chart_month(reseller, 2026, 2) == _month_sums(reseller, 2026, 2)
    assert _chart_month(reseller, 2026, 3) == _month_sums(reseller, 2026, 3) == (2500, 1800)
    # Customer A's 1,000 + 3 x 300 and 2 x 300 x 18/28; the reseller's 800 + 1 x 200 at cost,
    # resold at 1,000 + 1 x 300
    assert _chart_month(reseller, 2026, 2) == (1900 + 386 + 1300, 1400 + 257 + 1000)


@pytest.fixture
def window_policy(shop):
    """Seats added within 7 days can be removed at once, refunded for the days left."""
    shop.customer_plan.decrease_policy, shop.customer_plan.decrease_window_days = "window", 7
    db.session.commit()


def test_a_refund_lowers_what_its_payer_was_billed_and_its_other_tier_is_not_known(shop, handed_off, window_policy, buy,
                                                                                  change_seats):
    # given Customer A bought 8 seats on 1 February and raised them to 10 on 11 February
    subscription_id = buy(FEB_1)
    change_seats(subscription_id, 10, FEB_11)
    # when it removes the two seats it added, within the window
    change_seats(subscription_id, 8, FEB_13)
    db.session.commit()

    # then the reconciliation has the refund at Customer A's price (2 x 300 x 16/28 = 342.86),
    # and no cost: what the reseller gets back is not recorded (not the plan's price)
    refund = [row for row in reconciliation_rows(shop.reseller, 2026, 2) if row.date == FEB_13]
    assert [(row.price_amount, row.cost_amount, row.unit_cost) for row in refund] == [(-343, None, None)]
    # and the chart's February is Customer A's 1,900 + 386 - 343, at a cost of 1,400 + 257
    assert _chart_month(shop.reseller, 2026, 2) == _month_sums(shop.reseller, 2026, 2) == (1943, 1657)

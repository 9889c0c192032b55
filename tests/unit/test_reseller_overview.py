"""The reseller home's pure parts: monthly margins, the table's URL state, the chart's geometry,
the CSV's cells and the overview's status words."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.catalog.pricing import TierPrices
from app.control_panel.reseller.chart import chart_geometry, nice_step
from app.core.csv_export import safe_cell
from app.money import minor_digits, plain_amount
from app.control_panel.reseller.overview import OverviewFilters, OverviewPage
from app.plans.margins import kept_margins, monthly, period_margin
from app.plans.queries import display_status_of
from app.plans.revenue import MonthAmounts, RevenueSeries, last_months
from app.plans.term_prices import TermPrices


def test_a_period_margin_is_normalised_per_month_half_up():
    assert monthly(10_800, 12) == 900
    assert monthly(1_000, 3) == 333 and monthly(1_001, 2) == 501  # 500.5 -> 501
    assert monthly(-1_001, 2) == -501 and monthly(None, 12) is None
    with pytest.raises(ValueError):
        monthly(100, 0)


def test_a_period_margin_counts_the_plan_and_the_recurring_units_above_the_included():
    prices = TermPrices("USD", TierPrices("USD", 800, 1000, 1000), {7: TierPrices("USD", 200, 300, 300),
                                                                    9: TierPrices("USD", 20000, 25000, 25000)})
    assert period_margin(prices, {7: 8, 9: 1}, {7: 5}, recurring=[7]) == 200 + 3 * 100
    assert period_margin(prices, {7: 4}, {7: 5}, recurring=[7]) == 200  # below the included: the plan only


def test_the_kept_margins_are_the_period_margin_and_its_monthly_share_or_none_before_prices_are_locked():
    prices = TermPrices("USD", TierPrices("USD", 800, 1000, 1000), {7: TierPrices("USD", 200, 300, 300)})
    assert kept_margins(prices.to_json(), {7: 8}, {7: 5}, [7], 12) == (500, 42)  # 41.67 a month
    assert kept_margins(prices.to_json(), {7: 8}, {7: 5}, [], 1) == (200, 200)  # a one-time resource: the plan only
    assert kept_margins(None, {7: 8}, {7: 5}, [7], 1) == (None, None)


def test_the_filters_read_the_url_and_drop_what_is_not_a_choice():
    filters = OverviewFilters.from_args({"status": "canceled", "plan": "12", "customer": "7", "q": "  acme   ltd ",
                                         "sort": "margin", "order": "desc", "page": "3"})
    assert filters == OverviewFilters("canceled", 12, 7, "acme ltd", "margin", True, 3)
    assert filters.params(page=None) == {"status": "canceled", "plan": 12, "customer": 7, "q": "acme ltd", "sort": "margin",
                                         "order": "desc"}
    assert filters.sort_params("margin") == {"status": "canceled", "plan": 12, "customer": 7, "q": "acme ltd", "sort": "margin"}
    assert filters.sort_params("seats")["sort"] == "seats" and "order" not in filters.sort_params("seats")
    junk = OverviewFilters.from_args({"status": "expired", "plan": "-1", "customer": "99999999999", "sort": "id; drop",
                                      "order": "desc", "page": "0", "q": "x" * 500})
    assert junk == OverviewFilters(search="x" * 100) and not OverviewFilters().filtered


def test_a_page_knows_its_neighbours():
    page = OverviewPage([], total=51, page=2)
    assert (page.pages, page.prev_num, page.next_num) == (3, 1, 3)
    assert OverviewPage([], total=0, page=1).pages == 1


def test_the_overview_words_a_scheduled_change_as_pending_and_a_cancellation_with_its_end():
    march = datetime(2026, 3, 1, 9)
    assert display_status_of("active", march).overview_label == "Pending: changes on 01 Mar 2026"
    assert display_status_of("canceled", None, False, march).overview_label == "Canceled: ends 01 Mar 2026"
    assert display_status_of("active", None, False, march).overview_label == "Active"
    assert display_status_of("pending", None, True).overview_label == "Awaiting payment"


def test_the_chart_scale_has_round_gridlines_and_bars_stand_on_the_baseline():
    assert [nice_step(span) for span in (0, 90, 1000, 4100, 70_000)] == [100, 50, 500, 2000, 20000]
    months = last_months(datetime(2026, 2, 11, 15))
    assert months[0] == datetime(2025, 3, 1) and months[-1] == datetime(2026, 2, 1) and len(months) == 12
    series = RevenueSeries("USD", tuple(MonthAmounts(m, 1000 * i, 600 * i) for i, m in enumerate(months)))
    chart = chart_geometry(series)
    assert [line.amount for line in chart.gridlines] == [0, 5000, 10000, 15000]
    last = chart.months[-1]
    assert last.label == "Feb 26" and last.revenue.amount == 11000 and last.cost.amount == 6600
    assert round(last.revenue.y + last.revenue.height, 6) == round(chart.baseline, 6) and last.revenue.height > last.cost.height
    assert chart.months[0].revenue.height == 0 and len(chart.margin_points.split()) == 12


def test_a_negative_margin_goes_below_the_baseline():
    months = last_months(datetime(2026, 2, 1))
    series = RevenueSeries("USD", tuple(MonthAmounts(m, 100, 300) for m in months))
    chart = chart_geometry(series)
    assert chart.gridlines[0].amount < 0 and chart.months[0].margin_y > chart.baseline


def test_csv_cells_are_plain_numbers_and_never_formulas():
    def amount(minor, currency):
        return plain_amount(minor, minor_digits(currency))

    assert amount(1234, "USD") == "12.34" and amount(-5, "EUR") == "-0.05" and amount(-1234, "USD") == "-12.34"
    assert amount(1234, "JPY") == "1234" and amount(-7, "JPY") == "-7" and amount(None, "USD") == ""
    assert amount(1234, "BHD") == "1.234" and amount(0, "USD") == "0.00"
    assert [safe_cell(t) for t in ("=1+1", "+x", "-2", "@a", "\tx", "Acme", None)] == ["'=1+1", "'+x", "'-2", "'@a", "'\tx", "Acme", ""]

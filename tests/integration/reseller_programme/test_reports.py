"""Sales and margin reports: per reseller, product and month from the order lines as charged;
staff see every reseller, a reseller only its own; CSV streamed."""
from datetime import datetime

import pytest

from app.core.clock import FixedClock
from app.extensions import db
from app.orders.reports import ReportFilter, bar_chart, report_page, totals
from tests.factories import make_billing_info, set_reseller_price
from tests.integration.checkout.helpers import add_to_cart, open_checkout, place_order, term_of


@pytest.fixture
def sales(app, client, auth, world, monkeypatch):
    """Customer A (of Reseller One, at its price 9.50) buys the customer plan in March and
    again with 2 extra seats in April; Customer Z (of Reseller Two, at MSRP) once in April."""
    set_reseller_price(world.reseller, world.us, term_of(world.customer_plan), amount=950)
    for organisation in (world.customer, world.foreign_customer):
        make_billing_info(organisation)
        organisation.credit_limit = 1_000_000
    db.session.commit()

    def buy(email, when, **quantities):
        monkeypatch.setitem(app.config, "CLOCK", FixedClock(when))
        auth.login(email)
        add_to_cart(client, term_of(world.customer_plan), **quantities)
        assert place_order(client, open_checkout(client)).status_code in (302, 303)
        auth.logout()

    buy("admin@customer-a.test", datetime(2026, 3, 10, 12), seats=5)
    buy("admin@customer-a.test", datetime(2026, 4, 2, 12), seats=7)
    buy("admin@customer-z.test", datetime(2026, 4, 20, 12), seats=5)
    return world


def test_the_report_groups_sales_and_margin_by_reseller_month_and_product(sales):
    # A: 950 (cost 800); A: 950 + 2 x 300 seats (cost 800 + 2 x 200); Z: MSRP 1000 (cost 800)
    everything = ReportFilter("USD")

    by_reseller, groups, pages = report_page(everything, "reseller", 1)
    by_month, _, _ = report_page(everything, "month", 1)

    assert [(row.label, row.lines, row.sales, row.cost, row.margin) for row in by_reseller] == [
        ("Reseller One", 2, 2500, 2000, 500), ("Reseller Two", 1, 1000, 800, 200)]
    assert (groups, pages) == (2, 1)
    assert [(row.label, row.sales, row.margin) for row in by_month] == [("2026-04", 2550, 550), ("2026-03", 950, 150)]
    assert (totals(everything).sales, totals(everything).margin) == (3500, 700)
    assert [(row.label, row.sales) for row in report_page(ReportFilter("USD", reseller_id=sales.reseller.id), "product", 1)[0]] == [
        ("Sync Tool", 2500)]
    assert report_page(ReportFilter("USD", start=datetime(2026, 4, 1)), "reseller", 1)[0][0].sales == 1550


def test_staff_see_every_reseller_and_a_reseller_only_its_own(client, auth, sales):
    auth.login("staff@dist.test")
    staff = client.get("/staff/reports?group=reseller").get_data(as_text=True)
    auth.logout()
    auth.login("admin@reseller.test")
    own = client.get("/reseller/reports?group=reseller").get_data(as_text=True)

    assert 'data-report-row="Reseller One"' in staff and 'data-report-row="Reseller Two"' in staff
    assert "<svg" in staff and "data-report-chart" in staff
    assert "Reseller Two" not in own and "Customer Z" not in own
    assert 'data-report-table="product"' in own  # resellers group by product or month, not by reseller
    assert 'data-total="sales">$25.00' in own


def test_the_csv_export_streams_month_reseller_and_product_rows(client, auth, sales):
    auth.login("staff@dist.test")

    response = client.get("/staff/reports.csv?from=2026-04&to=2026-04")

    assert response.mimetype == "text/csv" and response.is_streamed
    assert response.get_data(as_text=True).splitlines() == [
        "month,reseller,product,currency,lines,sales,cost,margin",
        "2026-04,Reseller One,Sync Tool,USD,1,15.50,12.00,3.50",
        "2026-04,Reseller Two,Sync Tool,USD,1,10.00,8.00,2.00",
    ]


def test_a_resellers_csv_holds_only_its_own_sales(client, auth, sales):
    auth.login("admin@reseller.test")

    lines = client.get("/reseller/reports.csv").get_data(as_text=True).splitlines()

    assert len(lines) == 3 and all("Reseller One" in line for line in lines[1:])


def test_the_chart_scales_bars_to_the_largest_month():
    from app.orders.reports import ReportRow

    chart = bar_chart([ReportRow("2026-03", "2026-03", 1, 500, 400), ReportRow("2026-04", "2026-04", 1, 1000, 900)], height=240)

    assert [(bar.sales_height, bar.margin_height) for bar in chart.bars] == [(100.0, 20.0), (200.0, 20.0)]

"""The reseller's customer prices (/reseller/prices): cost, MSRP, its price and margin per plan
term and resource; a price or markup set now or from a date; a scheduled one withdrawn; its
customers' prices follow from the date (panel and storefront)."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.activity import ActivityEntry
from app.catalog.models import PlanTermPrice, ResourcePrice
from app.catalog.price_changes import PriceChangeRefused, parse_amount, parse_markup
from app.catalog.pricing import PriceBook, viewer_for
from app.core.clock import FixedClock
from app.extensions import db
from app.money import Money
from tests import factories as f

NOW = datetime(2026, 3, 2, 9, 30)
LATER = datetime(2026, 4, 1, 0, 0)


@pytest.fixture
def clock(app, monkeypatch):
    clock = FixedClock(NOW)
    monkeypatch.setitem(app.config, "CLOCK", clock)
    return clock


def monthly(plan):
    return next(term for term in plan.terms if term.code == "monthly")


def reseller_rows(world):
    return db.session.execute(
        select(PlanTermPrice.plan_term_id, PlanTermPrice.effective_from, PlanTermPrice.amount, PlanTermPrice.markup_bp)
        .where(PlanTermPrice.price_list_id == f.price_list(world.reseller, world.us).id)
        .order_by(PlanTermPrice.effective_from)).all()


def edit_url(world, term, resource=None):
    return f"/reseller/prices/edit?m={world.us.id}&term={term.id}" + (f"&resource={resource.id}" if resource else "")


def test_the_page_lists_cost_msrp_price_and_margin_of_each_customer_plan_term_and_resource(client, auth, world, clock):
    term = monthly(world.customer_plan)
    f.set_reseller_price(world.reseller, world.us, term, markup_bp=2500)  # 800 + 25 % = 1000
    f.set_reseller_price(world.reseller, world.us, term, resource=world.seats, amount=150)  # below its cost of 200
    db.session.commit()
    auth.login("admin@reseller.test")
    page = client.get("/reseller/prices")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    plan_line = html.split(f'data-price-line="{term.id}-plan"')[1].split("</tr>")[0]
    assert ["$8.00", "$10.00", "$10.00", "25 % markup", "$2.00"] == [
        value for value in ["$8.00", "$10.00", "$10.00", "25 % markup", "$2.00"] if value in plan_line]
    seats_line = html.split(f'data-price-line="{term.id}-{world.seats.id}"')[1].split("</tr>")[0]
    assert "$2.00" in seats_line and "$3.00" in seats_line and "$1.50" in seats_line and "below cost" in seats_line
    assert "-$0.50" in seats_line
    assert "for-resellers" not in html and world.reseller_plan.name not in html  # plans for resellers are not priced here


def test_a_price_set_now_applies_to_customers_at_once_and_is_logged(client, auth, world, clock):
    term = monthly(world.customer_plan)
    auth.login("admin@reseller.test")
    response = client.post(edit_url(world, term), data={"mode": "amount", "amount": "11.50", "effective": "now"})
    assert response.status_code == 302
    assert reseller_rows(world) == [(term.id, NOW, 1150, None)]
    assert PriceBook(viewer_for(world.customer), world.us).plan_term(term.id) == Money(1150, "USD")
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.organisation_id == world.reseller.id))
    assert entry.action == "price.changed" and "$11.50" in entry.summary and entry.actor_user_id == world.users.reseller.id
    # the customer sees it in the storefront
    client.get("/accounts/logout")
    auth.login("admin@customer-a.test")
    assert "$11.50" in client.get("/products/sync-tool?audience=customer").get_data(as_text=True)


def test_a_scheduled_markup_applies_from_its_date_and_not_before(client, auth, world, clock):
    term = monthly(world.customer_plan)
    auth.login("admin@reseller.test")
    response = client.post(edit_url(world, term), data={"mode": "markup", "markup": "50", "effective": "later",
                                                       "effective_from": "2026-04-01T00:00"})
    assert response.status_code == 302
    assert reseller_rows(world) == [(term.id, LATER, None, 5000)]
    html = client.get("/reseller/prices").get_data(as_text=True)
    assert "50 % markup from 01 Apr 2026 00:00 UTC" in html
    assert PriceBook(viewer_for(world.customer), world.us).plan_term(term.id) == Money(1000, "USD")  # MSRP until then
    client.get("/accounts/logout")
    auth.login("admin@customer-a.test")
    assert "$10.00" in client.get("/products/sync-tool?audience=customer").get_data(as_text=True)
    clock._moment = LATER
    assert PriceBook(viewer_for(world.customer), world.us).plan_term(term.id) == Money(1200, "USD")
    assert "$12.00" in client.get("/products/sync-tool?audience=customer").get_data(as_text=True)


def test_a_scheduled_price_can_be_withdrawn_before_its_date_but_not_after(client, auth, world, clock):
    term = monthly(world.customer_plan)
    scheduled = PlanTermPrice(price_list=f.price_list(world.reseller, world.us), plan_term=term, effective_from=LATER,
                              amount=900)
    db.session.add(scheduled)
    db.session.commit()
    auth.login("admin@reseller.test")
    clock._moment = LATER  # too late
    assert client.post(f"/reseller/prices/scheduled/plan/{scheduled.id}/withdraw").status_code == 409
    assert len(reseller_rows(world)) == 1
    clock._moment = NOW
    response = client.post(f"/reseller/prices/scheduled/plan/{scheduled.id}/withdraw", data={"next": "//evil.test/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/reseller/prices")
    assert reseller_rows(world) == []
    actions = db.session.scalars(select(ActivityEntry.action)).all()
    assert actions == ["price.withdrawn"]


def test_another_reseller_s_scheduled_price_is_not_found_and_stays(client, auth, world, clock):
    row = PlanTermPrice(price_list=f.price_list(world.other_reseller, world.us), plan_term=monthly(world.customer_plan),
                        effective_from=LATER, amount=900)
    db.session.add(row)
    db.session.commit()
    auth.login("admin@reseller.test")
    assert client.post(f"/reseller/prices/scheduled/plan/{row.id}/withdraw").status_code == 404
    assert client.post(f"/reseller/prices/scheduled/resource/{row.id}/withdraw").status_code == 404
    assert db.session.scalar(select(func.count(PlanTermPrice.id)).where(PlanTermPrice.id == row.id)) == 1


@pytest.mark.parametrize("form, message", [
    ({"mode": "amount", "amount": "-1", "effective": "now"}, "cannot be negative"),
    ({"mode": "amount", "amount": "12.345", "effective": "now"}, "at most 2 decimals"),
    ({"mode": "amount", "amount": "ten", "effective": "now"}, "is not a number"),
    ({"mode": "markup", "markup": "-5", "effective": "now"}, "cannot be negative"),
    ({"mode": "markup", "markup": "", "effective": "now"}, "Enter a markup"),
    ({"mode": "amount", "amount": "12", "effective": "later", "effective_from": "2026-03-01T00:00"}, "in the future"),
    ({"mode": "amount", "amount": "12", "effective": "later", "effective_from": "tomorrow"}, "Enter the date"),
    ({"mode": "free", "effective": "now"}, "Choose a price"),
])
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(client, auth, world, clock, form, message):
    auth.login("admin@reseller.test")
    response = client.post(edit_url(world, monthly(world.customer_plan)), data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reseller_rows(world) == []
    assert db.session.scalar(select(func.count(ActivityEntry.id))) == 0


def test_a_price_below_cost_is_saved_with_a_warning(client, auth, world, clock):
    term = monthly(world.customer_plan)
    auth.login("admin@reseller.test")
    response = client.post(edit_url(world, term, world.seats), data={"mode": "amount", "amount": "1.25", "effective": "now"},
                           follow_redirects=True)
    assert "below your cost: you lose $0.75 on each sale" in response.get_data(as_text=True)
    row = db.session.scalar(select(ResourcePrice).where(ResourcePrice.price_list_id == f.price_list(world.reseller, world.us).id))
    assert (row.resource_id, row.amount, row.effective_from) == (world.seats.id, 125, NOW)


def test_items_not_for_customers_or_unknown_are_not_found(client, auth, world, clock):
    auth.login("admin@reseller.test")
    assert client.get(edit_url(world, monthly(world.reseller_plan))).status_code == 404
    assert client.get(f"/reseller/prices/edit?m={world.us.id}&term=999999").status_code == 404
    quickstart_elsewhere = f.make_resource("other")
    assert client.get(edit_url(world, monthly(world.customer_plan), quickstart_elsewhere)).status_code == 404
    assert client.post(edit_url(world, monthly(world.reseller_plan)), data={"mode": "msrp", "effective": "now"}).status_code == 404
    assert reseller_rows(world) == []


def test_a_member_sees_the_prices_without_buttons_and_cannot_write(client, auth, world, clock):
    auth.login("member@reseller.test")
    html = client.get("/reseller/prices").get_data(as_text=True)
    assert "$8.00" in html and "Change</a>" not in html
    response = client.post(edit_url(world, monthly(world.customer_plan)), data={"mode": "amount", "amount": "1", "effective": "now"})
    assert response.status_code == 403
    assert reseller_rows(world) == []


def test_the_page_is_searched_and_paged_in_the_url_with_a_fixed_number_of_queries(client, auth, world, clock, count_queries):
    for index in range(25):
        plan = f.make_plan(world.product, distributor=world.distributor, marketplace=world.us, code=f"bulk-{index:02d}")
        f.add_plan_resource(plan, world.seats, distributor=world.distributor, marketplace=world.us)
    db.session.commit()
    auth.login("admin@reseller.test")
    client.get("/reseller/prices")
    with count_queries() as first:
        html = client.get("/reseller/prices").get_data(as_text=True)
    assert "Page 1 of 2" in html
    with count_queries() as second:
        html = client.get("/reseller/prices?page=2").get_data(as_text=True)
    assert first.count == second.count
    assert "Page 2 of 2" in html
    searched = client.get("/reseller/prices?q=bulk-07").get_data(as_text=True)
    assert "bulk-07" in searched and "bulk-08" not in searched and "Page 1 of" not in searched


def test_parsing_follows_the_marketplace_locale_and_currency():
    assert parse_amount("1,234.50", "USD", "en_US") == 123450
    assert parse_amount("1.234,50", "EUR", "de_DE") == 123450
    assert parse_amount("1200", "JPY", "ja_JP") == 1200
    with pytest.raises(PriceChangeRefused):
        parse_amount("12.5", "JPY", "ja_JP")
    assert parse_markup("12.25", "en_US") == 1225
    assert parse_markup("12,5 %", "de_DE") == 1250

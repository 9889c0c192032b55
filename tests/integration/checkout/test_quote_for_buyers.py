"""The checkout's quote for each kind of buyer, through the one pricing service."""
import pytest

from app.extensions import db
from app.orders.checkout import prepare
from app.orders.lines import Beneficiary, LineRequest
from app.orders.validation import OrderInvalid
from tests import factories as f
from tests.integration.checkout.helpers import term_of


def totals(preview):
    quote = preview.quote
    return quote.subtotal, quote.tax, quote.total, quote.reverse_charge


def test_a_reseller_buying_for_its_customer_pays_its_cost_not_the_customers_price(shop):
    f.set_reseller_price(shop.reseller, shop.us, term_of(shop.customer_plan), amount=1500)
    line = LineRequest(term_of(shop.customer_plan).id, {}, {}, Beneficiary.customer(shop.customer.id))
    assert totals(prepare(shop.reseller, shop.us, [line])) == (800, 80, 880, False)


def test_a_customer_buying_for_itself_pays_its_resellers_price(shop):
    f.set_reseller_price(shop.reseller, shop.us, term_of(shop.customer_plan), amount=1500)
    line = LineRequest(term_of(shop.customer_plan).id, {"seats": 7})
    assert totals(prepare(shop.customer, shop.us, [line])) == (1500 + 2 * 300, 210, 2310, False)


def test_a_direct_customer_of_the_distributor_buys_customer_plans_at_msrp(shop):
    direct = f.make_reseller(shop.distributor, name="Direct Co", reselling_enabled=False, marketplace=shop.us)
    line = LineRequest(term_of(shop.customer_plan).id, {"quickstart": 1})
    assert totals(prepare(direct, shop.us, [line])) == (1000 + 25000, 2600, 28600, False)
    with pytest.raises(OrderInvalid, match="not enabled for reselling"):
        prepare(direct, shop.us, [LineRequest(term_of(shop.reseller_plan).id)])


def test_an_eu_business_from_another_member_state_is_reverse_charged(shop):
    eu = f.make_marketplace("EU", "EUR", tax_rate_bp=1900, country="DE", tax_region="EU")
    plan = f.make_plan(shop.product, distributor=shop.distributor, marketplace=eu, audience="reseller", cost=900, msrp=1000, code="eu")
    french = f.make_reseller(shop.distributor, name="Revendeur", marketplace=eu)
    german = f.make_reseller(shop.distributor, name="Händler", marketplace=eu)
    f.make_billing_info(french, country="FR", tax_id="FR40303265045")
    f.make_billing_info(german, country="DE", tax_id="DE136695976")
    db.session.commit()
    line = [LineRequest(term_of(plan).id)]
    assert totals(prepare(french, eu, line)) == (900, 0, 900, True)
    assert totals(prepare(german, eu, line)) == (900, 171, 1071, False)


def test_a_free_first_month_defers_recurring_charges_but_not_one_time_services(shop):
    shop.customer_plan.postponed_billing_allowed = True
    line = LineRequest(term_of(shop.customer_plan).id, {"seats": 6, "quickstart": 1}, {}, Beneficiary.self_(), postponed_billing=True)
    quote = prepare(shop.customer, shop.us, [line]).quote
    assert [(item.subtotal, item.billed_later) for item in quote.lines[0].items] == [(0, True), (0, True), (25000, False)]
    assert quote.total == 27500


def test_every_problem_of_every_line_is_reported_at_once(shop):
    lines = [LineRequest(term_of(shop.reseller_plan).id, {"seats": 3}),
             LineRequest(term_of(shop.customer_plan).id, {}, {}, Beneficiary.customer(shop.foreign_customer.id))]
    with pytest.raises(OrderInvalid) as refused:
        prepare(shop.reseller, shop.us, lines)
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (0, "Seats: choose between 5 and 100."), (1, "That customer is not one of yours.")]

"""PriceBook against the database: each buyer's price for plan terms and resources."""
import pytest

from app.catalog.pricing import PriceBook, PriceNotSet, viewer_for
from app.money import Money
from tests import factories as f


def monthly(plan):
    return next(term for term in plan.terms if term.code == "monthly")


def test_anonymous_pays_msrp_reseller_pays_cost(world):
    term = monthly(world.customer_plan)
    assert PriceBook(viewer_for(None), world.us).plan_term(term.id) == Money(1000, "USD")
    assert PriceBook(viewer_for(world.reseller), world.us).plan_term(term.id) == Money(800, "USD")
    assert PriceBook(viewer_for(world.reseller), world.us).resource(term.id, world.seats.id) == Money(200, "USD")


def test_customer_pays_msrp_until_its_reseller_sets_a_price(world):
    term = monthly(world.customer_plan)
    book = PriceBook(viewer_for(world.customer), world.us)
    assert book.plan_term(term.id) == Money(1000, "USD")
    assert book.resource(term.id, world.seats.id) == Money(300, "USD")


def test_customer_pays_its_resellers_markup_or_absolute_price(world):
    term = monthly(world.customer_plan)
    f.set_reseller_price(world.reseller, world.us, term, markup_bp=1875)  # 800 * 1.1875 = 950
    f.set_reseller_price(world.reseller, world.us, term, resource=world.seats, amount=275)
    book = PriceBook(viewer_for(world.customer), world.us)
    assert book.plan_term(term.id) == Money(950, "USD")
    assert book.resource(term.id, world.seats.id) == Money(275, "USD")
    tiers = book.plan_term_tiers(term.id)
    assert (tiers.cost, tiers.msrp, tiers.customer, tiers.margin) == (800, 1000, 950, Money(150, "USD"))


def test_another_resellers_prices_never_apply(world):
    term = monthly(world.customer_plan)
    f.set_reseller_price(world.other_reseller, world.us, term, amount=1)
    assert PriceBook(viewer_for(world.customer), world.us).plan_term(term.id) == Money(1000, "USD")
    assert PriceBook(viewer_for(world.foreign_customer), world.us).plan_term(term.id) == Money(1, "USD")


def test_annual_term_has_its_own_price(world):
    annual = next(term for term in world.customer_plan.terms if term.code == "annual")
    assert PriceBook(viewer_for(world.reseller), world.us).plan_term(annual.id) == Money(9600, "USD")


def test_no_price_in_another_marketplace_is_a_named_error(world):
    uk = f.make_marketplace("UK", "GBP", tax_rate_bp=2000, locale="en_GB", country="GB")
    book = PriceBook(viewer_for(None), uk)
    with pytest.raises(PriceNotSet):
        book.plan_term(monthly(world.customer_plan).id)
    assert not book.has_plan_term(monthly(world.customer_plan).id)


def test_loading_many_terms_costs_a_fixed_number_of_queries(world, count_queries):
    term_ids = [term.id for plan in (world.customer_plan, world.reseller_plan) for term in plan.terms]
    viewer, marketplace, seats_id = viewer_for(world.customer), world.us, world.seats.id
    marketplace.id
    with count_queries() as counter:
        book = PriceBook(viewer, marketplace).load(term_ids)
        for term_id in term_ids:
            book.plan_term(term_id)
            book.resource(term_id, seats_id)
    assert counter.count == 2  # which price lists (then kept in the storefront cache), and every price

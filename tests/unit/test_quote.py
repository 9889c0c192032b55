"""The quote arithmetic: items, lines, tax, reverse charge, totals and the fingerprint."""
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.orders.quote import QuoteLine, build_quote, charge, credit
from app.billing.tax import is_reverse_charge
from app.plans.proration import days_fraction, prorate


def line(*items, description="Plan"):
    return QuoteLine(description, tuple(items))


def test_item_subtotal_is_unit_price_times_quantity():
    assert charge("Seats", 300, 7).subtotal == 2100


def test_prorated_item_rounds_half_up_to_the_minor_unit():
    # 1000 x 1 x 15/40 = 375 exactly; 1001 x 1 x 1/2 = 500.5 -> 501; 999 x 1/3 = 333 -> 333
    assert prorate(1000, 1, Fraction(15, 40)) == 375
    assert prorate(1001, 1, Fraction(1, 2)) == 501
    assert prorate(999, 1, Fraction(1, 3)) == 333
    assert prorate(1, 1, Fraction(1, 2)) == 1


def test_days_fraction_is_days_left_over_days_in_period():
    assert days_fraction(10, 30) == Fraction(1, 3)
    with pytest.raises(ValueError):
        days_fraction(31, 30)


def test_billed_later_item_shows_its_price_but_charges_nothing_now():
    item = charge("Mailboxes", 300, 5, billed_later=True)
    assert (item.unit_price, item.quantity, item.subtotal) == (300, 5, 0)


def test_charge_refuses_negative_prices_and_fractions_above_one():
    with pytest.raises(ValueError):
        charge("x", -1, 1)
    with pytest.raises(ValueError):
        charge("x", 100, 1, period_fraction=Fraction(3, 2))


def test_quote_totals_with_tax_rounded_half_up():
    # subtotal 1005 at 7.25 % = 72.8625 -> 73
    quote = build_quote([line(charge("Plan", 1000, 1), charge("Seat", 5, 1))], "USD", 725, False)
    assert (quote.subtotal, quote.tax, quote.total) == (1005, 73, 1078)


def test_reverse_charge_quote_has_no_tax():
    quote = build_quote([line(charge("Plan", 1000, 1))], "EUR", 1900, True)
    assert (quote.subtotal, quote.tax, quote.total, quote.reverse_charge) == (1000, 0, 1000, True)


def test_a_credit_never_turns_a_line_into_a_refund():
    change = line(charge("Seats, rest of period", 300, 2, period_fraction=Fraction(1, 2)), credit("Unused plan", 1000))
    assert change.subtotal == 0
    assert build_quote([change], "USD", 1000, False).total == 0


def test_fingerprint_is_stable_and_changes_with_any_price():
    first = build_quote([line(charge("Plan", 1000, 1))], "USD", 1000, False)
    again = build_quote([line(charge("Plan", 1000, 1))], "USD", 1000, False)
    cheaper = build_quote([line(charge("Plan", 999, 1))], "USD", 1000, False)
    other_tax = build_quote([line(charge("Plan", 1000, 1))], "USD", 1100, False)
    assert first.fingerprint == again.fingerprint
    assert len({first.fingerprint, cheaper.fingerprint, other_tax.fingerprint}) == 3


@pytest.mark.parametrize("marketplace, region, buyer, tax_id, expected", [
    ("DE", "EU", "FR", "FR123", True),   # business in another member state
    ("DE", "EU", "FR", "", False),       # no tax ID: a consumer pays the tax
    ("DE", "EU", "DE", "DE123", False),  # same country
    ("DE", "EU", "US", "US123", False),  # outside the region
    ("US", None, "CA", "CA123", False),  # marketplace without a tax region
    ("DE", "EU", "fr", "FR123", True),   # case of the country code does not matter
])
def test_reverse_charge_rule(marketplace, region, buyer, tax_id, expected):
    assert is_reverse_charge(marketplace, region, buyer, tax_id) is expected


amounts = st.integers(min_value=0, max_value=10_000_000)
fractions = st.one_of(st.none(), st.fractions(min_value=0, max_value=1, max_denominator=366))
items = st.builds(lambda price, qty, fraction: charge("item", price, qty, period_fraction=fraction),
                  amounts, st.integers(min_value=0, max_value=10_000), fractions)
credits = st.builds(lambda amount: credit("credit", amount), amounts)
lines = st.lists(st.builds(lambda i, c: line(*i, *c), st.lists(items, min_size=1, max_size=5), st.lists(credits, max_size=2)),
                 min_size=1, max_size=6)


@given(lines, st.integers(min_value=0, max_value=5000), st.booleans())
def test_total_is_the_sum_of_lines_plus_tax_and_never_negative(quote_lines, tax_rate_bp, reverse_charge):
    quote = build_quote(quote_lines, "USD", tax_rate_bp, reverse_charge)
    assert quote.subtotal == sum(l.subtotal for l in quote.lines)
    assert quote.total == quote.subtotal + quote.tax
    assert quote.total >= 0 and quote.tax >= 0 and all(l.subtotal >= 0 for l in quote.lines)
    if reverse_charge:
        assert quote.tax == 0


@given(amounts, st.integers(min_value=0, max_value=1000), st.fractions(min_value=0, max_value=1, max_denominator=366))
def test_item_rounding_is_half_up_within_half_a_minor_unit(unit_price, quantity, fraction):
    exact = Fraction(unit_price) * quantity * fraction
    rounded = prorate(unit_price, quantity, fraction)
    assert rounded - Fraction(1, 2) <= exact < rounded + Fraction(1, 2)


@given(amounts, st.integers(min_value=0, max_value=5000))
def test_tax_is_rounded_half_up(subtotal, tax_rate_bp):
    quote = build_quote([line(charge("x", subtotal, 1))], "USD", tax_rate_bp, False)
    exact = Fraction(subtotal * tax_rate_bp, 10_000)
    assert quote.tax - Fraction(1, 2) <= exact < quote.tax + Fraction(1, 2)

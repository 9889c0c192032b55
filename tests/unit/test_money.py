from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from app.money import CurrencyMismatch, Money, apply_basis_points, round_half_up


def test_round_half_up_rounds_halves_away_from_zero():
    assert round_half_up(Decimal("2.5")) == 3
    assert round_half_up(Decimal("3.5")) == 4
    assert round_half_up(Decimal("2.4999")) == 2
    assert round_half_up(Decimal("-2.5")) == -3
    assert round_half_up(Fraction(1, 2)) == 1


def test_apply_basis_points_rounds_half_up():
    assert apply_basis_points(1000, 2500) == 250
    assert apply_basis_points(999, 2500) == 250  # 249.75
    assert apply_basis_points(2, 2500) == 1  # 0.5 rounds up
    assert apply_basis_points(1, 2500) == 0  # 0.25 rounds down


def test_money_arithmetic_keeps_currency_and_refuses_mixing():
    assert Money(150, "USD") + Money(50, "USD") == Money(200, "USD")
    assert Money(150, "USD") * 3 == Money(450, "USD")
    with pytest.raises(CurrencyMismatch):
        Money(1, "USD") + Money(1, "EUR")
    with pytest.raises(TypeError):
        Money(1.5, "USD")
    with pytest.raises(TypeError):
        Money(100, "USD") * 1.5


def test_money_formats_for_the_locale():
    assert Money(123456, "USD").format("en_US") == "$1,234.56"
    assert Money(123456, "EUR").format("de_DE") == "1.234,56\xa0€"
    assert Money(99, "GBP").format("en_GB") == "£0.99"
    assert Money(500, "JPY").format("ja_JP") == "￥500"


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=100_000))
def test_apply_basis_points_is_within_half_a_unit_of_the_exact_value(amount, basis_points):
    exact = Fraction(amount * basis_points, 10_000)
    result = apply_basis_points(amount, basis_points)
    assert isinstance(result, int)
    assert exact - Fraction(1, 2) < result <= exact + Fraction(1, 2)

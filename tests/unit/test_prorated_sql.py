"""The reconciliation's and the chart's proration in SQL (``prorated_sql``) rounds like the one
proration (``app.plans.proration.prorate``): half up on the quantity's magnitude, its sign kept;
no fraction means the whole amount. Checked on an in-memory SQLite (PostgreSQL: the integration
tests)."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, String, create_engine, literal, select

from app.plans.proration import prorate
from app.reconciliation.amounts import prorated_sql

ENGINE = create_engine("sqlite://")


def _in_sql(unit: int | None, quantity: int, fraction_text: str):
    expression = prorated_sql(literal(unit, BigInteger), literal(quantity, BigInteger), literal(fraction_text, String), "sqlite")
    with ENGINE.connect() as connection:
        return connection.scalar(select(expression))


@settings(max_examples=300, deadline=None)
@given(unit=st.integers(0, 10_000_000), quantity=st.integers(-10_000, 10_000), days=st.integers(1, 366),
       left=st.integers(0, 366))
def test_a_prorated_amount_is_the_one_prorations(unit, quantity, days, left):
    fraction = Fraction(min(left, days), days)
    expected = prorate(unit, abs(quantity), fraction) * (-1 if quantity < 0 else 1)
    text = f"{fraction.numerator}/{fraction.denominator}"

    assert _in_sql(unit, quantity, text) == expected


def test_halves_round_up_and_no_fraction_is_the_whole_amount():
    assert _in_sql(1, 1, "1/2") == 1 and _in_sql(1, -1, "1/2") == -1 and _in_sql(3, 1, "1/4") == 1
    assert _in_sql(250, 3, "") == 750 and _in_sql(250, 3, "1") == 750 and _in_sql(None, 3, "1/2") is None

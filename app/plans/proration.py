"""Proration: pure arithmetic on integer minor units, exact fractions, one rounding (half up).

Charge for an increase = unit price x added units x days left / days in period, rounded half up
to the minor unit; a refund (window decrease or cancel) is the same amount with the other sign.
Each tier (customer price, reseller cost) is prorated on its own, so each invoice is exact.
``prorate`` is the one function that prices an item: the purchase quote's items (a whole period
is the fraction 1) and the change quote's alike, so an order charges what its quote showed.
"""
from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from app.money import round_half_up
from app.plans.periods import Period

WHOLE = Fraction(1)
NOTHING = Fraction(0)


def days_fraction(days_left: int, days_in_period: int) -> Fraction:
    """The share of a billing period still to run, by days: 0 .. 1, exact."""
    if days_in_period <= 0 or not 0 <= days_left <= days_in_period:
        raise ValueError("days left must lie between 0 and the days in the period")
    return Fraction(days_left, days_in_period)


def period_fraction(period: Period, now: datetime) -> Fraction:
    """Days left in ``period`` from ``now``'s date over its days: 0 .. 1, exact."""
    return days_fraction(period.days_left(now), period.days)


def prorate(unit_amount: int, units: int, fraction: Fraction = WHOLE) -> int:
    """``unit_amount`` x ``units`` x ``fraction``, rounded half up to a whole minor unit: the one
    rounding of every priced item, a purchase's (``app.orders.quote``, a whole period or a
    one-time charge: ``WHOLE``) and a change's (``app.plans.change_quote``)."""
    _require_int(unit_amount, "unit amount")
    _require_int(units, "units")
    if not NOTHING <= fraction <= WHOLE:
        raise ValueError(f"a period fraction lies within 0 and 1, not {fraction}")
    return round_half_up(Fraction(unit_amount * units) * fraction)


def increase_charge(unit_amount: int, added_units: int, period: Period, now: datetime) -> int:
    """What adding ``added_units`` at ``now`` costs for the rest of ``period`` (never negative)."""
    if added_units < 0:
        raise ValueError("an increase adds units")
    return prorate(unit_amount, added_units, period_fraction(period, now))


def decrease_refund(unit_amount: int, removed_units: int, period: Period, now: datetime) -> int:
    """What removing ``removed_units`` at ``now`` gives back for the rest of ``period``, as a
    negative amount (a credit). Only window policies refund; the default refunds nothing."""
    if removed_units < 0:
        raise ValueError("a decrease removes units")
    return -prorate(unit_amount, removed_units, period_fraction(period, now))


def billable_units(quantity: int, included: int) -> int:
    """Units charged per unit price: those above what the plan's own price includes."""
    return max(0, quantity - included)


def _require_int(value, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must be a whole number, got {value!r}")

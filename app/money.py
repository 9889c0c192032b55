"""Money: integer minor units with an ISO currency. Never floats.

``round_half_up`` is the one rounding rule of the product: every division or percentage that
lands between two minor units rounds half up (away from zero for negative amounts).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


def round_half_up(value: Decimal | Fraction | int) -> int:
    """Round an exact amount of minor units to a whole minor unit, half up."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_basis_points(amount: int, basis_points: int) -> int:
    """``amount`` x ``basis_points`` / 10,000, rounded half up (1 bp = 0.01 %)."""
    return round_half_up(Fraction(amount * basis_points, 10_000))


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units (cents, pence)
    currency: str  # ISO 4217 code

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"Money amount must be an int of minor units, got {self.amount!r}")

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(0, currency)

    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> "Money":
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("multiply Money by whole quantities only; use a pricing function for fractions")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount <= other.amount

    def format(self, locale: str = "en_US") -> str:
        return _formatted(self.amount, self.currency, locale)

    def __str__(self) -> str:
        return self.format()


@lru_cache(maxsize=8192)
def _formatted(amount: int, currency: str, locale: str) -> str:
    """Babel's formatting, remembered: a page shows the same few prices many times over."""
    return format_currency(Decimal(amount).scaleb(-minor_digits(currency)), currency, locale=locale)


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


def plain_amount(amount: int | None, digits: int) -> str:
    """Minor units as a plain decimal in major units with ``digits`` places (1234, 2 -> "12.34";
    -5, 2 -> "-0.05"; 1234, 0 -> "1234"); "" for None. No symbol, no grouping: what a CSV cell
    holds, so that spreadsheets and PSA tools read a number."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10 ** digits)
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"

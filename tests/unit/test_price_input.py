"""Parsing what a reseller types as a price, a markup or a date (app.catalog.price_changes)."""
from datetime import datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from app.catalog.price_changes import PriceChangeRefused, parse_amount, parse_effective_from, parse_markup
from app.money import Money

NOW = datetime(2026, 3, 2, 9, 30)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from([("USD", "en_US"), ("EUR", "de_DE"), ("GBP", "en_GB"),
                                                                     ("JPY", "ja_JP")]))
def test_a_formatted_price_parses_back_to_its_minor_units(amount, currency_and_locale):
    currency, locale = currency_and_locale
    text = Money(amount, currency).format(locale)
    number = "".join(ch for ch in text if ch.isdigit() or ch in ".,")
    assert parse_amount(number, currency, locale) == amount


@pytest.mark.parametrize("text, message", [("-1", "negative"), ("1.001", "at most 2 decimals"), ("abc", "not a number"),
                                           ("", "Enter a price"), ("NaN", "not a number"), ("1e400", "too large"),
                                           ("99999999999", "too large")])
def test_bad_prices_are_refused_with_their_reason(text, message):
    with pytest.raises(PriceChangeRefused) as refused:
        parse_amount(text, "USD", "en_US")
    assert message in refused.value.message


def test_markups_are_basis_points_between_zero_and_ten_thousand_percent():
    assert (parse_markup("0", "en_US"), parse_markup("25", "en_US"), parse_markup("10000", "en_US")) == (0, 2500, 1_000_000)
    for text in ("-1", "10000.01", "1.234"):
        with pytest.raises(PriceChangeRefused):
            parse_markup(text, "en_US")


def test_the_effective_date_is_now_or_in_the_next_five_years():
    assert parse_effective_from("now", "", NOW) == NOW
    assert parse_effective_from("later", "2026-04-01T00:00", NOW) == datetime(2026, 4, 1)
    for effective, when in (("later", "2026-03-02T09:30"), ("later", (NOW + timedelta(days=5 * 366 + 1)).strftime("%Y-%m-%dT%H:%M")),
                            ("later", ""), ("soon", "")):
        with pytest.raises(PriceChangeRefused):
            parse_effective_from(effective, when, NOW)

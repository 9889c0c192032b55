"""The countries a billing address may name: ISO 3166-1, not Babel's territories.

Babel's territory list also holds regions and test codes ("European Union", "Eurozone",
"Outlying Oceania", "Pseudo-Accents", "Unknown Region"); pycountry holds the ISO 3166-1 list
itself. Names come from Babel in the marketplace's locale (it names every ISO country), else
pycountry's English name."""
from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError

ISO_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def is_country(code: str | None) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (upper case, as stored)."""
    return code in ISO_CODES


@lru_cache(maxsize=16)
def _names(locale: str) -> tuple[tuple[str, str], ...]:
    try:
        territories = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError, TypeError):
        territories = Locale("en").territories
    names = [(country.alpha_2, territories.get(country.alpha_2) or country.name) for country in pycountry.countries]
    return tuple(sorted(names, key=lambda item: item[1].casefold()))


def country_choices(locale: str = "en") -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (alpha-2 code, name in ``locale``), sorted by name."""
    return list(_names(locale or "en"))


def country_name(code: str | None, locale: str = "en") -> str:
    """The name of ``code`` in ``locale``; the code itself when it is not a country."""
    return dict(_names(locale or "en")).get(code or "", code or "")

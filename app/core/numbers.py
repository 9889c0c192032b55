"""Whole numbers typed by people or sent in URLs: ASCII digits only. (``str.isdigit`` is true
for "²" and other digits ``int`` refuses, which turned such a query string into a 500.)"""
from __future__ import annotations

from flask import request

LONGEST_PAGE_NUMBER = 5  # digits: no list here has 100,000 pages


def whole_number(text: object, max_digits: int = 9) -> int | None:
    """The number ``text`` spells in ASCII digits (at most ``max_digits`` of them), else None."""
    if not isinstance(text, str) or not (0 < len(text) <= max_digits) or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def page_number(text: object) -> int:
    """A list's page number from the URL: a positive whole number, else the first page."""
    number = whole_number(text, LONGEST_PAGE_NUMBER)
    return number if number else 1


def page_argument() -> int:
    """The page number of the current request's ``?page=``."""
    return page_number(request.args.get("page"))

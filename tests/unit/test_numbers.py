"""Whole numbers from URLs and forms: ASCII digits only, bounded; a bad page is the first page."""
import pytest

from app.core.numbers import page_number, whole_number


@pytest.mark.parametrize("text, number", [
    ("7", 7), ("0", 0), ("123456789", 123456789), ("1234567890", None), ("²", None), ("١٢", None), ("-1", None),
    (" 1", None), ("1.0", None), ("", None), (None, None), (12, None),
])
def test_whole_number(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize("text, page", [
    ("3", 3), ("99999", 99999), ("100000", 1), ("0", 1), ("²", 1), ("", 1), (None, 1), ("x", 1),
])
def test_page_number(text, page):
    assert page_number(text) == page

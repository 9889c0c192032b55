"""URL converters: every path parameter is input, so what no row could match never reaches a query.

An id out of the range of the database's integer column (or negative, or not a number) and a
text parameter with control characters (PostgreSQL refuses a NUL byte in a string; no slug,
number or token holds one) do not match the route, so they answer 404 like any unknown address
instead of an error from the database driver."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

# Ids are INTEGER columns: PostgreSQL's integer is 32 bits (SQLite's 64).
LARGEST_ID = 2**31 - 1
LONGEST_TEXT = 500
CONTROL_CHARACTERS = r"\x00-\x1f\x7f"


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>``: a positive integer that fits the id columns."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = LARGEST_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PlainTextConverter(UnicodeConverter):
    """``<name>`` and ``<string:name>``: one path segment without control characters, of a
    bounded length."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = LONGEST_TEXT, length: int | None = None) -> None:
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", f"[^/{CONTROL_CHARACTERS}]")


class PlainPathConverter(PathConverter):
    """``<path:...>``: segments without control characters."""

    regex = f"[^/{CONTROL_CHARACTERS}][^{CONTROL_CHARACTERS}]*?"


CONVERTERS = {
    "default": PlainTextConverter,
    "string": PlainTextConverter,
    "int": DatabaseIdConverter,
    "path": PlainPathConverter,
}

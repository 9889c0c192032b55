"""Small rules for text shown to people."""
from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape


def end_sentence(text: str) -> str:
    """``text`` ended by a full stop, unless it ends with one already ("Acme Inc." stays as it
    is, never "Acme Inc.."), or with "!" or "?"."""
    text = str(text)
    return text if text.rstrip().endswith((".", "!", "?")) else text + "."


def select_options(choices: Iterable[tuple[object, str]], selected: object = None) -> Markup:
    """``<option>`` elements of (value, label) pairs, ``selected`` marked, labels escaped: a
    long list (a reseller's plans in use) in one join rather than a template loop of thousands
    of small writes. The same markup as ``<option value="{{ v }}" {{ 'selected' if ... }}>``."""
    return Markup("".join(f'<option value="{escape(value)}" {"selected" if value == selected else ""}>{escape(label)}</option>'
                          for value, label in choices))

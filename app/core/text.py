"""Small rules for text shown to people."""
from __future__ import annotations


def end_sentence(text: str) -> str:
    """``text`` ended by a full stop, unless it ends with one already ("Acme Inc." stays as it
    is, never "Acme Inc.."), or with "!" or "?"."""
    text = str(text)
    return text if text.rstrip().endswith((".", "!", "?")) else text + "."


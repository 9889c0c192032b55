"""Cross-cutting tables: gap-free document number counters."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class NumberSequence(db.Model):
    """The last number used for one series, e.g. ``ORD-2026`` -> 123 (see ``app.core.numbering``)."""

    series: Mapped[str] = mapped_column(String(30), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)

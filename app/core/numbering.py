"""Readable, gap-free document numbers: ``ORD-2026-000123``, ``INV-2026-000001``.

One counter row per prefix and year, incremented by a single ``UPDATE ... RETURNING``: on
PostgreSQL the row stays locked until the transaction ends, so two transactions never get the
same number, and a rolled-back transaction gives its number back (no gaps). The first number
of a year inserts the row inside a savepoint; a concurrent insert of the same row makes the
loser retry the update.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.core.models import NumberSequence
from app.extensions import db


def next_number(prefix: str, now: datetime, digits: int = 6) -> str:
    """The next number of ``prefix`` in ``now``'s year, inside the current transaction."""
    series = f"{prefix}-{now.year}"
    for _ in range(3):
        value = db.session.scalar(
            update(NumberSequence)
            .where(NumberSequence.series == series)
            .values(last_value=NumberSequence.last_value + 1)
            .returning(NumberSequence.last_value)
        )
        if value is not None:
            return f"{series}-{value:0{digits}d}"
        try:
            with db.session.begin_nested():
                db.session.add(NumberSequence(series=series, last_value=1))
            return f"{series}-{1:0{digits}d}"
        except IntegrityError:
            continue  # another transaction created the row first: take the next value from it
    raise RuntimeError(f"could not draw a number for {series}")

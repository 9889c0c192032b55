"""The marketplace's e-mails, each queued in the caller's transaction (filled in below)."""
from __future__ import annotations

from datetime import datetime


def order_confirmed(order, invoice, now: datetime) -> None:
    return None


def payment_failed(order, message: str, now: datetime) -> None:
    return None

"""The customer overview as CSV: the table's columns, one line per subscription, written in
chunks so that a response streams whatever the number of rows."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Iterable, Iterator

from babel.numbers import get_currency_precision

from app.control_panel.reseller.overview import OverviewRow

CSV_HEADER = ("Subscription", "Customer", "Plan", "Billing cycle", "Status", "Seats", "Period start", "Period end",
              "Monthly margin", "Currency")
CHUNK = 32_768  # characters written before a chunk is sent


def decimal_amount(minor: int | None, currency: str) -> str:
    """Minor units as a plain decimal string in the currency's precision (1234 USD -> "12.34");
    "" when unknown. No symbol, no grouping: spreadsheets read it as a number."""
    if minor is None:
        return ""
    places = get_currency_precision(currency)
    return str(Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def safe_text(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_record(row: OverviewRow) -> list[str | int]:
    return [
        row.subscription_id, safe_text(row.customer), safe_text(row.plan), row.billing_cycle, row.status.overview_label, row.seats,
        f"{row.period_start:%Y-%m-%d}" if row.period_start else "", f"{row.period_end:%Y-%m-%d}" if row.period_end else "",
        decimal_amount(row.monthly_margin, row.currency), row.currency,
    ]


def csv_chunks(rows: Iterable[OverviewRow]) -> Iterator[str]:
    """The header, then the rows, as text chunks of about ``CHUNK`` characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(csv_record(row))
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

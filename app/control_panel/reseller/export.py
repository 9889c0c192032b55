"""The customer overview as CSV: the table's columns, one line per subscription, written in
chunks so that a response streams whatever the number of rows."""
from __future__ import annotations

from typing import Iterable, Iterator

from app.control_panel.reseller.overview import OverviewRow
from app.core.csv_export import csv_text, safe_cell
from app.money import minor_digits, plain_amount

CSV_HEADER = ("Subscription", "Customer", "Plan", "Billing cycle", "Status", "Seats", "Period start", "Period end",
              "Monthly margin", "Currency")
CHUNK = 32_768  # characters written before a chunk is sent


def csv_record(row: OverviewRow) -> list[str | int]:
    return [
        row.subscription_id, safe_cell(row.customer), safe_cell(row.plan), row.billing_cycle, row.status.overview_label, row.seats,
        f"{row.period_start:%Y-%m-%d}" if row.period_start else "", f"{row.period_end:%Y-%m-%d}" if row.period_end else "",
        plain_amount(row.monthly_margin, minor_digits(row.currency)), row.currency,
    ]


def csv_chunks(rows: Iterable[OverviewRow]) -> Iterator[str]:
    """The header, then the rows, as text chunks of about ``CHUNK`` characters."""
    return csv_text(map(csv_record, rows), header=CSV_HEADER, chunk=CHUNK)

"""Streamed CSV downloads: rows are written as they are read (``stream_with_context``), so an
export of any size keeps memory flat. Cells that a spreadsheet would run as a formula are
neutralised (OWASP "CSV injection")."""
from __future__ import annotations

import csv
import io
from typing import Iterable

from flask import Response, stream_with_context

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, led by an apostrophe when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def streamed_csv(rows: Iterable[Iterable], filename: str) -> Response:
    """A download of ``rows`` (the first is the header) as UTF-8 CSV named ``filename``,
    written row by row as the iterable yields them."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"  # byte-order mark: spreadsheets then read the file as UTF-8
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)

    return Response(stream_with_context(generate()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})

"""Streamed CSV downloads: rows are written as they are read, so an export of any size keeps
memory flat. Cells that a spreadsheet would run as a formula are neutralised (OWASP "CSV
injection").

The rows are read in an application context of their own, pushed only while the body is being
sent: ``stream_with_context`` would instead keep the request's context pushed from the view's
return until the body is consumed or collected, and a client that never reads the body (a
health probe, the test client) would leave it on the stack. The rows must therefore be built
from values, not from objects of the request's session (a statement is fine)."""
from __future__ import annotations

import csv
import io
from typing import Callable, Iterable, Iterator

from flask import Response, current_app

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, led by an apostrophe when a spreadsheet would read it as a formula.
    For text someone typed (names, descriptions); amounts go through ``app.money.plain_amount``
    and stay numbers."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def csv_text(rows: Iterable[Iterable], *, header: Iterable | None = None, chunk: int = 8192) -> Iterator[str]:
    """``header`` (when given) and ``rows`` as CSV text, in pieces of about ``chunk`` characters
    (0: a piece per row), for a streamed response; the cells are written as given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    if buffer.tell():
        yield buffer.getvalue()


def streamed_csv(rows: Callable[[], Iterable[Iterable]], filename: str) -> Response:
    """A download named ``filename`` of the rows ``rows()`` yields (the first is the header) as
    UTF-8 CSV, written row by row; ``rows`` is called when the body is sent, in an application
    context of its own."""
    app = current_app._get_current_object()

    def generate():
        # The byte-order mark (spreadsheets then read the file as UTF-8) comes first, before any
        # context is pushed: WSGI servers and the test client read a first chunk at once.
        yield "\ufeff"
        with app.app_context():
            yield from csv_text(([safe_cell(cell) for cell in row] for row in rows()), chunk=0)

    return Response(generate(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})

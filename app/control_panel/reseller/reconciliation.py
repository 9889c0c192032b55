"""The PSA reconciliation export (/reseller/reconciliation): pick a month, see its first rows,
download its CSV (streamed, ``app.reconciliation.rows``)."""
from __future__ import annotations

import re

from flask import Response, abort, render_template, request

from app.accounts.access import acting_organisation
from app.control_panel.reseller import bp
from app.core.clock import current_now
from app.reconciliation.rows import (MonthOutOfRange, csv_filename, month_bounds, month_choices, month_csv, month_label,
                                     reconciliation_page)

SHOWN = 200  # rows on the page; the CSV has them all

MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")  # ASCII digits only


def _month() -> tuple[int, int]:
    """``?month=YYYY-MM`` (this month without it); 404 for anything else."""
    raw = request.args.get("month", "")
    if not raw:
        now = current_now()
        return now.year, now.month
    match = MONTH.match(raw)
    if match is None:
        abort(404)
    year, month = int(match.group(1)), int(match.group(2))
    try:
        month_bounds(year, month)
    except MonthOutOfRange:
        abort(404)
    return year, month


@bp.get("/reconciliation")
def reconciliation():
    year, month = _month()
    page = reconciliation_page(acting_organisation(), year, month, limit=SHOWN, with_total=True)
    return render_template("control_panel/reseller/reconciliation.html", year=year, month=month, rows=page.rows,
                           total=page.total,
                           label=month_label(year, month), months=[(y, m, month_label(y, m)) for y, m in month_choices(current_now())])


@bp.get("/reconciliation.csv")
def reconciliation_csv():
    year, month = _month()
    return Response(month_csv(acting_organisation(), year, month), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{csv_filename(year, month)}"'})

"""The sales and margin report pages and their CSV, for the back office (every reseller) and the
reseller panel (its own sales): one set of views over ``app.orders.reports``, added to each
panel's blueprint by ``add_report_pages``."""
from __future__ import annotations

from babel.numbers import get_currency_precision
from flask import Response, render_template, request
from flask_login import current_user

from app.money import Money
from app.orders import reports
from app.core.numbers import page_number


def _page() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


def add_report_pages(bp, *, own_sales_only: bool) -> None:
    """``/reports`` and ``/reports.csv`` on ``bp``; with ``own_sales_only`` the signed-in
    organisation's sales only (the reseller panel), else every sale (the back office)."""

    def reseller_id() -> int | None:
        return current_user.organisation_id if own_sales_only else None

    def report_page():
        selected, available = reports.filter_from(request.args, reseller_id())
        groups = [choice for choice in reports.GROUPS if not (own_sales_only and choice == "reseller")]
        group = request.args.get("group") if request.args.get("group") in groups else groups[-1 if own_sales_only else 1]
        rows, total, pages = reports.report_page(selected, group, _page())
        return render_template("orders/reports.html", selected=selected, currencies=available, group=group, rows=rows,
                               total_groups=total, pages=pages, page=_page(), totals=reports.totals(selected),
                               chart=reports.bar_chart(reports.monthly(selected)), own_sales_only=own_sales_only,
                               groups=groups,
                               from_text=request.args.get("from", "")[:7], to_text=request.args.get("to", "")[:7],
                               amount=lambda minor: Money(int(minor), selected.currency))

    def report_csv():
        selected, _ = reports.filter_from(request.args, reseller_id())
        rows = reports.csv_rows(selected, get_currency_precision(selected.currency))
        response = Response(rows, mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="sales-{selected.currency.lower()}.csv"'
        response.headers["Cache-Control"] = "no-store"
        return response

    bp.add_url_rule("/reports", "reports", report_page, methods=["GET"])
    bp.add_url_rule("/reports.csv", "reports_csv", report_csv, methods=["GET"])

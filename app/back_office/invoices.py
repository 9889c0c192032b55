"""Every organisation's invoices (one invoice opens on the billing area's invoice page)."""
from __future__ import annotations

from flask import render_template, request

from app.back_office import bp
from app.billing.queries import STATUSES, all_invoices_page


@bp.get("/invoices")
def invoices():
    status, page = request.args.get("status"), request.args.get("page", "1")
    number = int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 1
    return render_template("billing/invoices.html", invoices=all_invoices_page(number, status), status=status,
                           statuses=STATUSES, staff=True)

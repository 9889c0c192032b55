"""Every organisation's orders (/staff/orders): by status, searchable by order number or buyer;
one order opens on the orders area's page, which staff may read."""
from __future__ import annotations

from flask import render_template, request

from app.back_office import bp
from app.extensions import db
from app.orders.queries import STAFF_STATUS_FILTERS, staff_orders_listing
from app.core.numbers import page_number

PER_PAGE = 50


@bp.get("/orders")
def orders():
    status = request.args.get("status")
    status = status if status in STAFF_STATUS_FILTERS else None
    search = request.args.get("q", "")[:60]
    page = request.args.get("page", "1")
    listed = db.paginate(staff_orders_listing(status, search), page=page_number(page),
                         per_page=PER_PAGE, error_out=False)
    return render_template("back_office/orders.html", orders=listed, status=status, search=search,
                           statuses=STAFF_STATUS_FILTERS)

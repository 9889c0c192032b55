"""Orders and invoices in the customer panel: the organisation's orders (paged in the query)
and one order with its live provisioning status. Its invoices are the pages the panels share
(``app.control_panel.invoice_views``). Reads go through the areas' queries, which scope them by
``TenantScope``.
"""
from __future__ import annotations

from flask import abort, render_template

from app.accounts.access import acting_organisation
from app.control_panel.customer import bp
from app.control_panel.invoice_views import page_number as _page_number
from app.orders.queries import invoices_of, order_for, orders_page, payment_of
from app.orders.routes import template_exists


@bp.get("/orders")
def orders():
    return render_template("control_panel/customer/orders/index.html",
                           orders=orders_page(acting_organisation(), _page_number()))


@bp.get("/orders/<number>")
def order(number: str):
    """The order with its provisioning status (live while a line runs), payment and invoices."""
    found = order_for(number, acting_organisation())
    if found is None:
        abort(404)
    return render_template("control_panel/customer/orders/detail.html", order=found, invoices=invoices_of(found),
                           payment=payment_of(found), live_progress=template_exists("provisioning/_order_progress.html"))

"""The reseller panel's home (the customer overview) and its CSV export."""
from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from app.control_panel.forms import ActionForm
from app.control_panel.reseller import bp
from app.control_panel.reseller.chart import chart_geometry
from app.control_panel.reseller.export import csv_chunks
from app.control_panel.reseller.overview import (
    SORT_CHOICES,
    STATUS_CHOICES,
    NotYourCustomer,
    OverviewFilters,
    filtered_customer,
    home_page,
    plan_choices as find_plan_choices,
    overview_statement,
    stream_overview_rows,
)
from app.core.clock import current_now
from app.extensions import db


@bp.get("/")
def home():
    """Summary cards, the last twelve months' chart and the customers' subscriptions table."""
    filters = OverviewFilters.from_args(request.args)
    try:
        page = home_page(current_user.organisation_id, filters, current_now(), plan_search=request.args.get("plan_q"))
    except NotYourCustomer:
        abort(404)
    charts = [(series, chart_geometry(series)) for series in page.chart]
    return render_template("control_panel/reseller/home.html", page=page, charts=charts, statuses=STATUS_CHOICES,
                           sorts=SORT_CHOICES, form=ActionForm())


@bp.get("/plan-choices")
def plan_choices():
    """The plan filter's search (``plan_q``): the matching plans in use, each a link to the home
    page's table filtered by it with the other filters kept (the list htmx puts under the field)."""
    filters = OverviewFilters.from_args(request.args)
    choices = find_plan_choices(current_user.organisation_id, request.args.get("plan_q", ""))
    return render_template("control_panel/reseller/_plan_choices.html", choices=choices, f=filters)


@bp.get("/subscriptions/export.csv")
def export_subscriptions():
    """The table as filtered (every page, in its order) as CSV, streamed in batches from a
    connection of its own (no ``stream_with_context``: the rows need no request context, and a
    response left unread then holds no context open)."""
    filters = OverviewFilters.from_args(request.args)
    reseller_id, now = current_user.organisation_id, current_now()
    try:
        filtered_customer(reseller_id, filters)
    except NotYourCustomer:
        abort(404)
    rows = stream_overview_rows(db.engine, overview_statement(reseller_id, filters), now)
    headers = {"Content-Disposition": f'attachment; filename="customer-subscriptions-{now:%Y-%m-%d}.csv"'}
    return Response(csv_chunks(rows), mimetype="text/csv", headers=headers)

"""/api/v1/reconciliation: a reseller's charges for its customers' subscriptions in one calendar
month (UTC), for its PSA: the rows of the panel's reconciliation export
(``app.reconciliation.rows``), a page read at a time, as JSON or, with ``format=csv``, as the same
CSV the panel downloads."""
from __future__ import annotations

import marshmallow as ma
from flask import Response

from app.accounts.access import acting_organisation
from app.api.common import ListArgs, MoneySchema, UtcDateTime, money
from app.api.errors import abort_api
from app.api.framework import api_blueprint
from app.reconciliation.rows import MonthOutOfRange, ReconciliationRow, csv_filename, month_csv, reconciliation_page

bp = api_blueprint("reconciliation", "/reconciliation",
                   "PSA reconciliation: a reseller's charges for its customers' subscriptions, month by month.")
KINDS = ("new", "change", "proration", "renewal", "cancellation")


class MonthArgs(ListArgs):
    """The month, and the page of its rows (JSON): ``starting_after`` is the ``position`` of the
    last row of the previous page. The CSV is always the whole month."""

    starting_after = ma.fields.Integer(validate=ma.validate.Range(1, 10_000_000), metadata={
        "description": "The position of the last row of the previous page."})
    year = ma.fields.Integer(required=True, metadata={"description": "The year (2000 to 2100)."})
    month = ma.fields.Integer(required=True, metadata={"description": "The month (1 to 12), in UTC."})
    format = ma.fields.String(load_default="json", validate=ma.validate.OneOf(("json", "csv")),
                              metadata={"description": "json (default), or csv for the panel's CSV file "
                                                       "(amounts in major units, such as 12.50)."})


class ReconciliationRowSchema(ma.Schema):
    position = ma.fields.Integer(required=True, metadata={"description": "The row's place in the month (1, 2, ...): "
                                                                         "the cursor of the next page."})
    date = UtcDateTime(required=True, metadata={"description": "When it was charged (or cancelled)."})
    kind = ma.fields.String(required=True, metadata={"description": ", ".join(KINDS)})
    customer_id = ma.fields.Integer(required=True)
    customer = ma.fields.String(required=True, metadata={"description": "The customer's name."})
    subscription_id = ma.fields.Integer(required=True)
    plan = ma.fields.String(required=True)
    term = ma.fields.String(required=True)
    item = ma.fields.String(required=True, metadata={"description": "What was charged, as the invoice line reads."})
    quantity = ma.fields.Integer(required=True, metadata={"description": "Negative for a decrease refunded."})
    unit_cost = ma.fields.Nested(MoneySchema, required=True, allow_none=True,
                                 metadata={"description": "What you pay the distributor per unit; null if not known."})
    unit_price = ma.fields.Nested(MoneySchema, required=True, allow_none=True,
                                  metadata={"description": "What your customer pays per unit; null if not known."})
    cost_amount = ma.fields.Nested(MoneySchema, required=True, allow_none=True)
    price_amount = ma.fields.Nested(MoneySchema, required=True, allow_none=True)
    period_fraction = ma.fields.String(required=True, metadata={"description": "The prorated share of the period, such "
                                                                                "as 9/14; empty when not prorated."})
    period_start = UtcDateTime(required=True, allow_none=True)
    period_end = UtcDateTime(required=True, allow_none=True)
    order = ma.fields.String(required=True, metadata={"description": "The order's number; empty for a renewal."})
    invoice = ma.fields.String(required=True, metadata={"description": "The invoice's number; empty if none."})


class ReconciliationSchema(ma.Schema):
    year = ma.fields.Integer(required=True)
    month = ma.fields.Integer(required=True)
    data = ma.fields.List(ma.fields.Nested(ReconciliationRowSchema), required=True, metadata={"description": "In date order."})
    has_more = ma.fields.Boolean(required=True, metadata={"description": "Whether a next page exists: ask with "
                                                                         "starting_after set to the last position."})


def present_row(row: ReconciliationRow, position: int) -> dict:
    def amount(value):
        return money(value, row.currency) if value is not None else None

    return {"position": position, "date": row.date, "kind": row.kind, "customer_id": row.customer_id, "customer": row.customer,
            "subscription_id": row.subscription_id, "plan": row.plan, "term": row.term, "item": row.item,
            "quantity": row.quantity, "unit_cost": amount(row.unit_cost), "unit_price": amount(row.unit_price),
            "cost_amount": amount(row.cost_amount), "price_amount": amount(row.price_amount),
            "period_fraction": row.period_fraction, "period_start": row.period_start, "period_end": row.period_end,
            "order": row.order, "invoice": row.invoice}


# flask-smorest documents one content type per status: the 200 is written out with both.
BOTH_FORMATS = {"200": {"description": "The month's rows (JSON), or its CSV file with format=csv.", "content": {
    "application/json": {"schema": ReconciliationSchema},
    "text/csv": {"schema": {"type": "string"}}}}}


@bp.route("", methods=["GET"])
@bp.arguments(MonthArgs, location="query")
@bp.response(200, ReconciliationSchema)
@bp.doc(responses=BOTH_FORMATS)
def reconciliation(args):
    """Every charge of your customers' subscriptions in one month: new, change, proration, renewal, cancellation."""
    year, month = args["year"], args["month"]
    try:
        if args["format"] == "csv":
            return Response(month_csv(acting_organisation(), year, month), mimetype="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="{csv_filename(year, month)}"'})
        start = args.get("starting_after") or 0
        page = reconciliation_page(acting_organisation(), year, month, offset=start, limit=args["limit"])
    except MonthOutOfRange as refused:
        abort_api(422, str(refused))
    return {"year": year, "month": month, "data": [present_row(row, start + index) for index, row in enumerate(page.rows, 1)],
            "has_more": page.has_more}

"""/api/v1/invoices: the invoices the organisation pays (list, get) and each one's PDF
(``app.billing.pdf``), as the panels show them; a reseller may also read an invoice its
customer pays (it issued it), as in the panels."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.access import TenantScope, acting_organisation
from app.api.common import ListArgs, MoneySchema, UtcDateTime, list_schema, money, page
from app.api.errors import abort_api
from app.api.framework import api_blueprint
from app.billing.models import Invoice, InvoiceStatus
from app.billing.pdf import render_invoice_pdf
from app.billing.queries import invoice_locale, seller_details

bp = api_blueprint("invoices", "/invoices", "Invoices: list, read, download as PDF.")


class InvoiceLineSchema(ma.Schema):
    position = ma.fields.Integer(required=True)
    description = ma.fields.String(required=True)
    unit_price = ma.fields.Nested(MoneySchema, required=True)
    quantity = ma.fields.Integer(required=True)
    period_fraction = ma.fields.String(allow_none=True, required=True)
    amount = ma.fields.Nested(MoneySchema, required=True)


class InvoiceSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    organisation_id = ma.fields.Integer(required=True, metadata={"description": "Who pays it."})
    order_number = ma.fields.String(allow_none=True, required=True)
    subscription_id = ma.fields.Integer(allow_none=True, required=True)
    currency = ma.fields.String(required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)
    tax = ma.fields.Nested(MoneySchema, required=True)
    total = ma.fields.Nested(MoneySchema, required=True)
    payment_method = ma.fields.String(required=True)
    issued_at = UtcDateTime(required=True)
    due_at = UtcDateTime(required=True)
    paid_at = UtcDateTime(allow_none=True, required=True)
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineSchema), required=True)


class InvoiceListArgs(ListArgs):
    status = ma.fields.String(validate=ma.validate.OneOf([status.value for status in InvoiceStatus]))
    issued_since = UtcDateTime(metadata={"description": "Only invoices issued at or after this time (RFC 3339)."})


InvoiceList = list_schema(InvoiceSchema, "InvoiceList")


def present_invoice(invoice: Invoice) -> dict:
    currency = invoice.currency
    return {
        "id": invoice.id, "number": invoice.number, "kind": invoice.kind, "status": invoice.status,
        "organisation_id": invoice.organisation_id, "order_number": invoice.order.number if invoice.order else None,
        "subscription_id": invoice.subscription_id, "currency": currency, "subtotal": money(invoice.subtotal, currency),
        "tax": money(invoice.tax, currency), "total": money(invoice.total, currency),
        "payment_method": invoice.payment_method, "issued_at": invoice.issued_at, "due_at": invoice.due_at,
        "paid_at": invoice.paid_at,
        "lines": [{"position": line.position, "description": line.description,
                   "unit_price": money(line.unit_price, currency), "quantity": line.quantity,
                   "period_fraction": line.period_fraction or None, "amount": money(line.amount, currency)}
                  for line in invoice.lines],
    }


def _invoice(number: str) -> Invoice:
    statement = select(Invoice).where(Invoice.number == number).options(selectinload(Invoice.lines),
                                                                         selectinload(Invoice.order))
    invoice = TenantScope(acting_organisation()).one_or_none(statement, Invoice.organisation_id)
    if invoice is None:
        abort_api(404, "That invoice was not found.")
    return invoice


@bp.route("", methods=["GET"])
@bp.arguments(InvoiceListArgs, location="query")
@bp.response(200, InvoiceList)
def list_invoices(args):
    """The invoices the organisation pays, in id order."""
    scope = TenantScope(acting_organisation(), customers=False, staff_sees_all=False)
    statement = scope.filter(select(Invoice).options(selectinload(Invoice.lines), selectinload(Invoice.order)),
                             Invoice.organisation_id)
    if "status" in args:
        statement = statement.where(Invoice.status == args["status"])
    if "issued_since" in args:
        statement = statement.where(Invoice.issued_at >= args["issued_since"])
    rows, has_more = page(statement, Invoice.id, args)
    return {"data": [present_invoice(invoice) for invoice in rows], "has_more": has_more}


@bp.route("/<string(maxlength=30):number>", methods=["GET"])
@bp.response(200, InvoiceSchema)
def get_invoice(number):
    """One invoice by its number."""
    return present_invoice(_invoice(number))


@bp.route("/<string(maxlength=30):number>/pdf", methods=["GET"])
@bp.response(200, description="The invoice as a PDF document.",
             content_type="application/pdf")
def invoice_pdf(number):
    """The invoice as the PDF the panels offer."""
    invoice = _invoice(number)
    document = render_invoice_pdf(invoice, invoice_locale(invoice), seller_details(invoice),
                                  font_setting=current_app.config["INVOICE_PDF_FONT"],
                                  compress=current_app.config["INVOICE_PDF_COMPRESS"])
    return current_app.response_class(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{invoice.number}.pdf"', "Cache-Control": "private, no-store"})

"""Invoice pages: the buyer's list and one invoice (HTML and PDF); the back office lists them all."""
from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_login import current_user, login_required

from app.billing import bp
from app.billing.countries import country_name
from app.billing.pdf import render_invoice_pdf
from app.billing.queries import STATUSES, invoice_for, invoice_locale, invoices_page, seller_details
from app.core.numbers import page_number


def _page_number() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


@bp.get("/invoices")
@login_required
def invoices():
    status = request.args.get("status")
    return render_template("billing/invoices.html", invoices=invoices_page(current_user.organisation, _page_number(), status),
                           status=status, statuses=STATUSES, staff=False)


@bp.get("/invoices/<number>")
@login_required
def invoice(number: str):
    found = invoice_for(number, current_user.organisation)
    return render_template("billing/invoice.html", invoice=found, seller=seller_details(found), locale=invoice_locale(found),
                           country_name=country_name)


@bp.get("/invoices/<number>.pdf")
@login_required
def invoice_pdf(number: str):
    return invoice_pdf_response(invoice_for(number, current_user.organisation))


def invoice_pdf_response(found) -> Response:
    """The PDF of an invoice the caller found (and so may see), as a download."""
    config = current_app.config
    body = render_invoice_pdf(found, invoice_locale(found), seller_details(found), font_setting=config["INVOICE_PDF_FONT"],
                              compress=config["INVOICE_PDF_COMPRESS"])
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{found.number}.pdf"', "Cache-Control": "private, no-store"})

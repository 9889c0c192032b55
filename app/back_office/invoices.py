"""Every organisation's invoices (one invoice opens on the billing area's invoice page), and the
distributor settling its own on-account invoices by hand: payment received, or void."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.back_office import bp
from app.back_office.invoice_forms import PaymentReceivedForm, WriteOffForm
from app.billing.models import Invoice
from app.billing.queries import STATUSES, all_invoices_page
from app.billing.settling import SettlementRefused, record_payment_received, write_off
from app.core.clock import current_now
from app.core.errors import RefusalKind
from app.extensions import db
from app.core.numbers import page_number


@bp.get("/invoices")
def invoices():
    status, page = request.args.get("status"), request.args.get("page", "1")
    number = page_number(page)
    return render_template("billing/invoices.html", invoices=all_invoices_page(number, status), status=status,
                           statuses=STATUSES, staff=True)


def _own_invoice(invoice_id: int) -> Invoice:
    """An invoice the distributor issued; a reseller's invoice to its customer is the reseller's to settle."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id)
                                .options(joinedload(Invoice.organisation), joinedload(Invoice.order)))
    if invoice is None or invoice.seller_id != current_user.organisation_id:
        abort(404)
    return invoice


@bp.get("/invoices/<int:invoice_id>/settle")
def settle_invoice(invoice_id: int):
    return _settle_page(_own_invoice(invoice_id))


def _settle_page(invoice: Invoice, paid_form=None, void_form=None, status: int = 200):
    return render_template("back_office/settle_invoice.html", invoice=invoice, paid_form=paid_form or PaymentReceivedForm(),
                           void_form=void_form or WriteOffForm()), status


def _settle(invoice_id: int, form, action):
    invoice = _own_invoice(invoice_id)
    if not form.validate_on_submit():
        return _settle_page(invoice, **{form.slot: form}, status=422)
    try:
        done = action(invoice.id, current_user.organisation, current_user._get_current_object(), form.text.data,
                      current_now())
        db.session.commit()
    except SettlementRefused as refusal:
        db.session.rollback()
        if refusal.kind is RefusalKind.NOT_FOUND:
            abort(404)
        flash(refusal.message, "danger")
        return redirect(url_for("back_office.settle_invoice", invoice_id=invoice_id))
    flash(f"Invoice {done.number} is {done.status}.", "success")
    return redirect(url_for("back_office.invoices"))


@bp.post("/invoices/<int:invoice_id>/payment-received")
def mark_invoice_paid(invoice_id: int):
    return _settle(invoice_id, PaymentReceivedForm(), record_payment_received)


@bp.post("/invoices/<int:invoice_id>/void")
def void_invoice(invoice_id: int):
    return _settle(invoice_id, WriteOffForm(), write_off)

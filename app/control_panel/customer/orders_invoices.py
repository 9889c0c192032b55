"""Orders and invoices in the customer panel: the organisation's orders (paged in the query)
and one order with its live provisioning status; its invoices (filtered by status, paged), one
invoice, its PDF, and paying an open one by card (3-D Secure in the browser when the bank asks).
Reads go through the areas' queries, which scope them by ``TenantScope``; paying goes through
``app.billing.card_payment``.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import TenantScope, acting_organisation
from app.billing.card_payment import (
    InvoiceNotPayable, InvoicePayStep, card_payable, confirm_invoice_payment, pay_invoice_by_card, payment_of_invoice,
)
from app.billing.invoice_routes import invoice_pdf as billing_invoice_pdf
from app.billing.models import Invoice
from app.billing.queries import STATUSES, invoice_for, invoice_locale, invoices_page, seller_details
from app.config import stripe_js_url
from app.control_panel.customer import bp
from app.money import Money
from app.orders.forms import PayForm
from app.orders.queries import invoices_of, order_for, orders_page, payment_of
from app.orders.routes import template_exists
from app.payments import gateway
from app.payments.cards import payment_account
from app.payments.errors import PaymentError
from app.payments.forms import AuthenticatedForm


def _page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 1


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


@bp.get("/invoices")
def invoices():
    status = request.args.get("status")
    return render_template("control_panel/customer/invoices/index.html", status=status, statuses=STATUSES,
                           invoices=invoices_page(acting_organisation(), _page_number(), status))


def _invoice_page(invoice: Invoice, refusal=None, status: int = 200):
    organisation = acting_organisation()
    payment = payment_of_invoice(invoice)
    return render_template("control_panel/customer/invoices/detail.html", invoice=invoice, seller=seller_details(invoice),
                           locale=invoice_locale(invoice), payable=card_payable(invoice, organisation), payment=payment,
                           account=payment_account(organisation), refusal=refusal,
                           form=PayForm(seen_attempts=payment.attempts if payment else 0)), status


@bp.get("/invoices/<number>")
def invoice(number: str):
    return _invoice_page(invoice_for(number, acting_organisation()))


@bp.get("/invoices/<number>.pdf")
def invoice_pdf(number: str):
    return billing_invoice_pdf(number)


def _own_invoice(number: str) -> Invoice:
    """The organisation's own invoice (it pays it), else 404: a reseller sees its customers'
    invoices, but only the payer pays."""
    scope = TenantScope(acting_organisation(), customers=False, staff_sees_all=False)
    found = invoice_for(number, acting_organisation())
    return scope.get_or_404(Invoice, found.id, owner_column=Invoice.organisation_id)


@bp.post("/invoices/<number>/pay")
def pay_invoice(number: str):
    invoice = _own_invoice(number)
    form = PayForm()
    if not form.validate_on_submit():
        flash("Reload the page and try again.", "danger")
        return redirect(url_for(".invoice", number=number), code=303)
    try:
        step = pay_invoice_by_card(invoice, acting_organisation(), seen_attempts=form.seen_attempts.data or 0)
    except InvoiceNotPayable as refused:
        return _invoice_page(invoice, refused, refused.status)
    return _after_paying(number, step)


def _after_paying(number: str, step: InvoicePayStep):
    invoice_page = url_for(".invoice", number=number)
    if step.kind == "authenticate":
        return redirect(url_for(".authenticate_invoice", number=number), code=303)
    if step.kind == "add_card":
        flash(f"Add a card to pay invoice {number}.", "info")
        return redirect(url_for("payments.card", next=invoice_page), code=303)
    if step.kind in ("declined", "unavailable"):
        flash(f"The payment did not go through: {step.message} Invoice {number} is not paid; you can pay it again.", "danger")
    elif step.kind == "paid":
        flash(f"Payment received. Thank you! Invoice {number} is paid.", "success")
    else:
        flash(f"Your payment of invoice {number} is being processed.", "success")
    return redirect(invoice_page, code=303)


@bp.get("/invoices/<number>/authenticate")
def authenticate_invoice(number: str):
    """3-D Secure: Stripe.js asks the bank, then the page posts back so the app re-reads."""
    invoice = _own_invoice(number)
    payment = payment_of_invoice(invoice)
    if payment is None or payment.status != "requires_action":
        return redirect(url_for(".invoice", number=number), code=303)
    try:
        intent = gateway.retrieve_payment_intent(payment.provider_intent_id)
    except PaymentError as error:
        flash(error.message, "danger")
        return redirect(url_for(".invoice", number=number), code=303)
    return render_template("control_panel/customer/invoices/authenticate.html", invoice=invoice, intent=intent,
                           amount=Money(payment.amount, payment.currency), form=AuthenticatedForm(),
                           publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"], stripe_js=stripe_js_url(current_app.config))


@bp.post("/invoices/<number>/authenticate")
def invoice_authenticated(number: str):
    invoice = _own_invoice(number)
    if not AuthenticatedForm().validate_on_submit():
        abort(400)
    return _after_paying(number, confirm_invoice_payment(invoice))

"""Invoice pages shared by the panels (customer and reseller): the acting organisation's invoices
(filtered by status, paged in the query), one invoice, its PDF, and paying an open one by card
(3-D Secure in the browser when the bank asks). ``add_invoice_pages(bp)`` adds them to a panel
blueprint; its guard has checked the viewer's role. Reads go through ``app.billing.queries``
(scoped by ``TenantScope``: an invoice of another tenant is not found); paying goes through
``app.billing.card_payment``.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from app.accounts.access import TenantScope, acting_organisation
from app.billing.card_payment import (
    InvoiceNotPayable, card_payable, confirm_invoice_payment, pay_invoice_by_card, payment_of_invoice,
)
from app.billing.countries import country_name
from app.billing.invoice_routes import invoice_pdf_response
from app.billing.models import Invoice
from app.billing.queries import STATUSES, invoice_for, invoice_locale, invoices_page, seller_details
from app.config import stripe_js_url
from app.money import Money
from app.orders.forms import PayForm
from app.payments import gateway
from app.payments.cards import payment_account
from app.payments.errors import PaymentError
from app.payments.steps import PayStep
from app.payments.forms import AuthenticatedForm
from app.core.numbers import page_argument as page_number

# Where each panel shows an order of the acting organisation (linked from its invoices).
ORDER_ENDPOINTS = {"customer": "customer.order", "reseller": "orders.detail"}


def _endpoint(view: str) -> str:
    return f"{request.blueprint}.{view}"


def invoices():
    status = request.args.get("status")
    status = status if status in STATUSES else None
    return render_template("control_panel/invoices/index.html", status=status, statuses=STATUSES,
                           invoices=invoices_page(acting_organisation(), page_number(), status))


def _invoice_page(invoice: Invoice, refusal=None, status: int = 200):
    organisation = acting_organisation()
    payment = payment_of_invoice(invoice)
    return render_template("control_panel/invoices/detail.html", invoice=invoice, seller=seller_details(invoice),
                           locale=invoice_locale(invoice), country_name=country_name,
                           payable=card_payable(invoice, organisation), payment=payment,
                           account=payment_account(organisation), refusal=refusal,
                           order_endpoint=ORDER_ENDPOINTS.get(request.blueprint, "orders.detail"),
                           form=PayForm(seen_attempts=payment.attempts if payment else 0)), status


def invoice(number: str):
    return _invoice_page(invoice_for(number, acting_organisation()))


def invoice_pdf(number: str):
    return invoice_pdf_response(invoice_for(number, acting_organisation()))


def _own_invoice(number: str) -> Invoice:
    """The organisation's own invoice (it pays it), else 404: a reseller sees its customers'
    invoices, but only the payer pays."""
    scope = TenantScope(acting_organisation(), customers=False, staff_sees_all=False)
    found = invoice_for(number, acting_organisation())
    return scope.get_or_404(Invoice, found.id, owner_column=Invoice.organisation_id)


def pay_invoice(number: str):
    invoice = _own_invoice(number)
    form = PayForm()
    if not form.validate_on_submit():
        flash("Reload the page and try again.", "danger")
        return redirect(url_for(_endpoint("invoice"), number=number), code=303)
    try:
        step = pay_invoice_by_card(invoice, acting_organisation(), seen_attempts=form.seen_attempts.data or 0)
    except InvoiceNotPayable as refused:
        return _invoice_page(invoice, refused, refused.status)
    return _after_paying(number, step)


def _after_paying(number: str, step: PayStep):
    invoice_page = url_for(_endpoint("invoice"), number=number)
    if step.kind == "authenticate":
        return redirect(url_for(_endpoint("authenticate_invoice"), number=number), code=303)
    if step.kind == "add_card":
        flash(f"Add a card to pay invoice {number}.", "info")
        return redirect(url_for("payments.card", next=invoice_page), code=303)
    if step.kind in ("declined", "unavailable", "canceled"):
        flash(f"The payment did not go through: {step.message} Invoice {number} is not paid; you can pay it again.", "danger")
    elif step.kind == "paid":
        flash(f"Payment received. Thank you! Invoice {number} is paid.", "success")
    else:
        flash(f"Your payment of invoice {number} is being processed.", "success")
    return redirect(invoice_page, code=303)


def authenticate_invoice(number: str):
    """3-D Secure: Stripe.js asks the bank, then the page posts back so the app re-reads."""
    invoice = _own_invoice(number)
    payment = payment_of_invoice(invoice)
    if payment is None or payment.status != "requires_action":
        return redirect(url_for(_endpoint("invoice"), number=number), code=303)
    try:
        intent = gateway.retrieve_payment_intent(payment.provider_intent_id)
    except PaymentError as error:
        flash(error.message, "danger")
        return redirect(url_for(_endpoint("invoice"), number=number), code=303)
    return render_template("payments/authenticate.html", paying_for=f"invoice {invoice.number}", intent=intent,
                           action=url_for(_endpoint("invoice_authenticated"), number=invoice.number),
                           amount=Money(payment.amount, payment.currency), form=AuthenticatedForm(),
                           publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"], stripe_js=stripe_js_url(current_app.config))


def invoice_authenticated(number: str):
    invoice = _own_invoice(number)
    if not AuthenticatedForm().validate_on_submit():
        abort(400)
    return _after_paying(number, confirm_invoice_payment(invoice))


def add_invoice_pages(bp: Blueprint) -> None:
    """The invoice pages under ``bp``'s prefix as ``<bp>.invoices``, ``<bp>.invoice``,
    ``<bp>.invoice_pdf``, ``<bp>.pay_invoice``, ``<bp>.authenticate_invoice`` and
    ``<bp>.invoice_authenticated``; paying is the payer's (members get 403 from the guard)."""
    bp.add_url_rule("/invoices", "invoices", invoices)
    bp.add_url_rule("/invoices/<number>", "invoice", invoice)
    bp.add_url_rule("/invoices/<number>.pdf", "invoice_pdf", invoice_pdf)
    bp.add_url_rule("/invoices/<number>/pay", "pay_invoice", pay_invoice, methods=["POST"])
    bp.add_url_rule("/invoices/<number>/authenticate", "authenticate_invoice", authenticate_invoice)
    bp.add_url_rule("/invoices/<number>/authenticate", "invoice_authenticated", invoice_authenticated, methods=["POST"])

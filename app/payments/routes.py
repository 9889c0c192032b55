"""The card form (save a card for later orders), 3-D Secure for an order, and the webhook."""
from __future__ import annotations

import logging

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.accounts.access import TenantScope, admin_required
from app.accounts.services import is_safe_next
from app.config import stripe_js_url
from app.core.clock import current_now
from app.extensions import csrf, db
from app.money import Money
from app.payments import bp, gateway
from app.payments.cards import payment_account, save_card_from_setup, start_card_setup
from app.payments.errors import InvalidWebhook, PaymentError
from app.payments.forms import AuthenticatedForm, SaveCardForm
from app.payments.models import Payment
from app.payments.service import refresh_card_payment
from app.payments.webhooks import handle_event

log = logging.getLogger(__name__)


@bp.get("/card")
@admin_required
def card():
    """The organisation's saved card and a Stripe.js form to save a new one."""
    organisation = current_user.organisation
    try:
        setup = start_card_setup(organisation)
    except PaymentError as error:
        flash(error.buyer_message, "danger")
        setup = None
    form = SaveCardForm(next=request.args.get("next", ""))
    return render_template("payments/card.html", form=form, setup=setup, account=payment_account(organisation),
                           publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
                           stripe_js=stripe_js_url(current_app.config)), 200 if setup else 503


@bp.post("/card")
@admin_required
def save_card():
    form = SaveCardForm()
    if not form.validate_on_submit():
        flash("Enter your card details in the form, then save.", "danger")
        return redirect(url_for("payments.card"), code=303)
    try:
        saved = save_card_from_setup(current_user.organisation, form.setup_intent_id.data)
    except PaymentError as error:
        flash(error.buyer_message, "danger")
        return redirect(url_for("payments.card", next=form.next.data or None), code=303)
    flash(f"Card {saved.brand.title()} ending in {saved.last4} saved for your orders and renewals.", "success")
    return redirect(form.next.data if is_safe_next(form.next.data) else url_for("payments.card"), code=303)


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Stripe's events: 400 (and nothing written) unless the signature checks out."""
    try:
        event = gateway.parse_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except InvalidWebhook as error:
        log.warning("stripe webhook refused: %s", error)
        return jsonify(error="invalid signature"), 400
    return jsonify(received=True, result=handle_event(event, current_now())), 200


def _own_payment(order_id: int):
    """The signed-in organisation's own order's payment, else 404 (another tenant's too, and
    for staff: only the buyer pays)."""
    from app.orders.models import Order  # payments sits beside orders and never imports it at module level

    order = TenantScope(current_user.organisation, customers=False, staff_sees_all=False).get_or_404(
        Order, order_id, owner_column=Order.buyer_id)
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order_id))
    if payment is None:
        abort(404)
    return order, payment


@bp.get("/orders/<int:order_id>/authenticate")
@admin_required
def authenticate(order_id: int):
    """3-D Secure: Stripe.js asks the bank, then the page posts back so the app re-reads."""
    order, payment = _own_payment(order_id)
    if payment.status != "requires_action":
        return redirect(_next_or_home(request.args.get("next")), code=303)
    try:
        intent = gateway.retrieve_payment_intent(payment.provider_intent_id)
    except PaymentError as error:
        flash(error.buyer_message, "danger")
        return redirect(_next_or_home(request.args.get("next")), code=303)
    return render_template("payments/authenticate.html", paying_for=f"order {order.number}",
                           action=url_for("payments.authenticated", order_id=order.id),
                           amount=Money(payment.amount, payment.currency), intent=intent,
                           form=AuthenticatedForm(next=request.args.get("next", "")),
                           publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"], stripe_js=stripe_js_url(current_app.config))


@bp.post("/orders/<int:order_id>/authenticate")
@admin_required
def authenticated(order_id: int):
    _own_payment(order_id)
    form = AuthenticatedForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcome = refresh_card_payment(order_id)
    except PaymentError as error:
        flash(error.buyer_message, "danger")
        return redirect(url_for("payments.authenticate", order_id=order_id, next=form.next.data or None), code=303)
    if outcome.succeeded:
        flash("Payment confirmed. Thank you!", "success")
    elif outcome.status == "failed":
        flash(f"The payment did not go through: {outcome.failure_message} Your order is not paid; you can pay it again.", "danger")
    else:
        flash("Your bank has not confirmed the payment yet.", "warning")
        return redirect(url_for("payments.authenticate", order_id=order_id, next=form.next.data or None), code=303)
    return redirect(_next_or_home(form.next.data), code=303)


def _next_or_home(target: str | None) -> str:
    return target if is_safe_next(target) else url_for("catalog.index")

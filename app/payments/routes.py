"""The card form (save a card for later orders) and the provider's webhook."""
from __future__ import annotations

import logging

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import admin_required
from app.accounts.services import is_safe_next
from app.config import stripe_js_url
from app.extensions import csrf
from app.payments import bp, gateway
from app.payments.cards import payment_account, save_card_from_setup, start_card_setup
from app.payments.errors import InvalidWebhook, PaymentError
from app.payments.forms import SaveCardForm
from app.payments.service import utcnow
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
    target = form.next.data
    return redirect(target if is_safe_next(target) else url_for("payments.card"), code=303)


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Stripe's events: 400 (and nothing written) unless the signature checks out."""
    try:
        event = gateway.parse_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except InvalidWebhook as error:
        log.warning("stripe webhook refused: %s", error)
        return jsonify(error="invalid signature"), 400
    return jsonify(received=True, result=handle_event(event, utcnow())), 200

"""The customer panel's Marketplace tab: plans for customers at the buyer's own prices, by
category; a plan -> its period, resources and ordering parameters -> the summary (the
checkout's quote, who pays and how) -> the order, placed by the one checkout service
(``app.orders.checkout``: ``prepare`` and ``place_order``), then its provisioning status.

Nothing here prices or validates: the form's inputs become a ``LineRequest`` and every refusal
comes from the services, shown next to the field or the button it is about.
"""
from __future__ import annotations

from uuid import uuid4

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import acting_organisation
from app.cart.input import read_parameters, read_quantities
from app.catalog.context import current_marketplace
from app.catalog.offers import customer_offer, customer_offers
from app.catalog.reference import all_marketplaces
from app.control_panel.customer import bp
from app.core.clock import current_now
from app.core.errors import QuoteChanged
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.forms import CheckoutForm
from app.orders.gates import BillingInformationMissing, check_gates
from app.orders.lines import Beneficiary, LineRequest, load_plan_terms
from app.orders.payments import PaymentFailed, methods_for
from app.orders.placing import CheckoutError, find_order
from app.orders.settlement import PayStep, pay_order
from app.orders.validation import OrderInvalid

CONFIGURE = "control_panel/customer/marketplace/plan.html"
SUMMARY = "control_panel/customer/marketplace/summary.html"


def _marketplace():
    """The buyer's own marketplace (an order is in its currency), else the visitor's region."""
    return all_marketplaces().by_id.get(acting_organisation().marketplace_id) or current_marketplace()


def _term_id(values) -> int | None:
    text = values.get("term", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


@bp.get("/marketplace")
def marketplace():
    """The plans for customers by category, each from its first period's price."""
    return render_template("control_panel/customer/marketplace/index.html",
                           groups=customer_offers(acting_organisation(), _marketplace()))


@bp.get("/marketplace/plans/<int:plan_id>")
def marketplace_plan(plan_id: int):
    """Choose the period, the resources and the ordering parameters."""
    offer = customer_offer(plan_id, acting_organisation(), _marketplace(), _term_id(request.args))
    if offer is None:
        abort(404)
    return render_template(CONFIGURE, offer=offer, values=request.args, problems=[])


def _line(plan_id: int, values):
    """The line the form asks for, and the problems of the quantities typed (not numbers)."""
    term = load_plan_terms([_term_id(values)]).get(_term_id(values))
    if term is None or term.plan_id != plan_id:
        abort(404)
    quantities, problems = read_quantities(values, term.plan)
    parameters = read_parameters(values, term.plan.product)
    return LineRequest(term.id, quantities, parameters, Beneficiary.self_(), values.get("postponed_billing") in ("1", "y", "on")), problems


def _configure_again(plan_id: int, values, problems, status: int = 422):
    offer = customer_offer(plan_id, acting_organisation(), _marketplace(), _term_id(values))
    return render_template(CONFIGURE, offer=offer, plan_id=plan_id, values=values, problems=problems), status


def _summary(form, preview, line, refusal=None, status: int = 200):
    methods = methods_for(preview.buyer, preview.quote.currency)
    form.payment_method.choices = [(m.name, m.label) for m in methods]
    blocked = None
    try:  # the checkout's gates, as placing will run them: a member sees why it may not order
        check_gates(preview.buyer, current_user, preview.marketplace, preview.lines)
    except CheckoutError as refused:
        blocked = refused
    return render_template(SUMMARY, form=form, preview=preview, line=line, methods=methods, refusal=refusal or blocked,
                           blocked=blocked, billing_missing=isinstance(blocked, BillingInformationMissing),
                           accepted=set(request.form.getlist("terms"))), status


@bp.route("/marketplace/plans/<int:plan_id>/order", methods=["GET", "POST"])
def marketplace_order(plan_id: int):
    """GET: the summary of the line chosen; POST: place it, as confirmed."""
    organisation, form = acting_organisation(), CheckoutForm()
    if form.is_submitted() and (placed := find_order(organisation.id, form.idempotency_key.data or "")):
        return redirect(url_for(".order", number=placed.number), code=303)
    values = request.form if request.method == "POST" else request.args
    line, problems = _line(plan_id, values)
    if problems:
        return _configure_again(plan_id, values, problems)
    try:
        preview = prepare(organisation, _marketplace(), [line])
    except OrderInvalid as invalid:
        return _configure_again(plan_id, values, invalid.problems)
    if request.method == "GET":
        form.idempotency_key.data, form.fingerprint.data = uuid4().hex, preview.quote.fingerprint
        methods = methods_for(preview.buyer, preview.quote.currency)
        form.payment_method.data = methods[0].name if methods else ""
        return _summary(form, preview, line)
    form.payment_method.choices = [(m.name, m.label) for m in methods_for(preview.buyer, preview.quote.currency)]
    if not form.validate():
        return _summary(form, preview, line, status=400)
    return _place(plan_id, form, preview, line)


def _place(plan_id: int, form, preview, line):
    checkout_request = CheckoutRequest(
        buyer=acting_organisation(), placed_by=current_user, marketplace=preview.marketplace, lines=[line],
        idempotency_key=form.idempotency_key.data, fingerprint=form.fingerprint.data,
        accepted_terms=frozenset(request.form.getlist("terms")), payment_method=form.payment_method.data,
    )
    try:
        order = place_order(checkout_request, current_now(), preview)
    except QuoteChanged as changed:
        preview.quote, form.fingerprint.data = changed.quote, changed.quote.fingerprint
        return _summary(form, preview, line, refusal=changed, status=409)
    except OrderInvalid as invalid:
        return _configure_again(plan_id, request.form, invalid.problems)
    except (CheckoutError, PaymentFailed) as refused:
        return _summary(form, preview, line, refusal=refused, status=refused.status)
    if order.awaits_payment:  # a card order: placed, now charged
        return _after_paying(order, pay_order(order, seen_attempts=0))
    flash(f"Thank you! Order {order.number} is placed.", "success")
    return redirect(url_for(".order", number=order.number), code=303)


def _after_paying(order, step: PayStep):
    """The order's page in the panel, through the bank (3-D Secure) or the card form when the
    payment needs them; the order's own pay page shows a decline and pays again."""
    order_page = url_for(".order", number=order.number)
    if step.kind == "authenticate":
        return redirect(url_for("payments.authenticate", order_id=order.id, next=order_page), code=303)
    if step.kind == "add_card":
        flash(f"Add a card to pay order {order.number}.", "info")
        return redirect(url_for("payments.card", next=url_for("orders.pay", number=order.number)), code=303)
    if step.kind in ("declined", "unavailable"):
        flash(f"The payment did not go through: {step.message} Order {order.number} is not paid; you can pay it again.", "danger")
        return redirect(order_page, code=303)
    flash(f"Payment received. Thank you! Order {order.number} is being set up." if step.kind == "paid"
          else f"Your payment for order {order.number} is being processed.", "success")
    return redirect(order_page, code=303)

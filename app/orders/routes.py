from uuid import uuid4

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2 import TemplateNotFound

from app.accounts.access import admin_required
from app.cart import context as cart_context  # a module: the cart's services import the checkout's
from app.catalog.context import current_marketplace
from app.core.clock import current_now
from app.orders import bp
from app.orders.checkout import CheckoutRequest, QuoteChanged, place_order, prepare
from app.orders.forms import CheckoutForm, PayForm
from app.orders.gates import BillingInformationMissing, CartEmpty, EmailNotVerified
from app.orders.placing import CheckoutError, find_order
from app.orders.payments import PaymentFailed, methods_for
from app.orders.queries import invoices_of, order_for, orders_page, own_order, payment_of
from app.orders.settlement import pay_order
from app.payments.steps import PayStep
from app.orders.validation import OrderInvalid
from app.payments.cards import payment_account
from app.core.numbers import page_number


def _turned_back(refusal: CheckoutError):
    """Where the buyer fixes what the checkout's gates refused (``app.orders.gates``)."""
    if isinstance(refusal, BillingInformationMissing):
        flash(refusal.message, "info")
        return redirect(url_for("billing.edit_billing_info", next=url_for("orders.checkout")))
    if isinstance(refusal, EmailNotVerified):  # where the buyer asks for a new link
        flash(refusal.message, "warning")
        return redirect(url_for("onboarding.verification", next=url_for("cart.show")))
    flash(refusal.message, "info" if isinstance(refusal, CartEmpty) else "warning")
    return redirect(url_for("cart.show"))


def _render(form, preview, status=200):
    methods = methods_for(preview.buyer, preview.quote.currency)
    accepted = set(request.form.getlist("terms"))
    return render_template("orders/checkout.html", form=form, preview=preview, methods=methods, accepted=accepted), status


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    form, store = CheckoutForm(), cart_context.current_cart()  # the signed-in user's, shared with the navbar's count
    entries = store.entries()  # read before the key: a submit that placed the order emptied the cart
    if form.is_submitted() and (placed := find_order(current_user.organisation_id, form.idempotency_key.data or "")):
        return redirect(url_for("orders.detail", number=placed.number))
    try:
        preview = prepare(current_user.organisation, current_marketplace(), [entry.request for entry in entries],
                          placed_by=current_user, cart_marketplace_id=store.marketplace_id)
    except CheckoutError as refused:
        return _turned_back(refused)
    except OrderInvalid:
        flash("Some lines in your cart need attention before you check out.", "warning")
        return redirect(url_for("cart.show"))
    form.payment_method.choices = [(m.name, m.label) for m in methods_for(preview.buyer, preview.quote.currency)]
    if form.validate_on_submit():
        return _place(form, preview, store, entries)
    if request.method == "GET":
        form.idempotency_key.data, form.fingerprint.data = uuid4().hex, preview.quote.fingerprint
        form.payment_method.data = next(iter(form.payment_method.choices), ("", ""))[0]
    return _render(form, preview, 400 if form.is_submitted() else 200)


def _place(form, preview, store, entries):
    checkout_request = CheckoutRequest(
        buyer=current_user.organisation, placed_by=current_user, marketplace=preview.marketplace,
        lines=[entry.request for entry in entries], idempotency_key=form.idempotency_key.data,
        fingerprint=form.fingerprint.data, accepted_terms=frozenset(request.form.getlist("terms")),
        payment_method=form.payment_method.data, cart=store.cart,
    )
    try:
        order = place_order(checkout_request, current_now(), preview)
    except QuoteChanged as changed:
        flash(changed.message, "warning")
        preview.quote, form.fingerprint.data = changed.quote, changed.quote.fingerprint
        return _render(form, preview, 409)
    except OrderInvalid:
        flash("Some lines in your cart need attention before you check out.", "warning")
        return redirect(url_for("cart.show"))
    except (CheckoutError, PaymentFailed) as refused:
        flash(refused.message, "danger")
        return _render(form, preview, 400)
    if order.awaits_payment:  # a card order: placed, now charged
        return _after_paying(order, pay_order(order, seen_attempts=0))
    flash(f"Thank you! Order {order.number} is placed.", "success")
    return redirect(url_for("orders.detail", number=order.number))


def _after_paying(order, step: PayStep):
    """Where the buyer goes once it asked to pay: the order, the bank (3-D Secure), the card
    form, or back to the pay page with the bank's reason."""
    order_page, pay_page = url_for("orders.detail", number=order.number), url_for("orders.pay", number=order.number)
    if step.kind == "authenticate":
        return redirect(url_for("payments.authenticate", order_id=order.id, next=order_page), code=303)
    if step.kind == "add_card":
        flash(f"Add a card to pay order {order.number}.", "info")
        return redirect(url_for("payments.card", next=pay_page), code=303)
    if step.kind == "declined":
        flash(f"The payment did not go through: {step.message} Order {order.number} is not paid; you can pay it again.", "danger")
        return redirect(pay_page, code=303)
    if step.kind == "canceled":
        flash(f"Order {order.number} was cancelled because it was not paid in time. Nothing was charged.", "warning")
        return redirect(order_page, code=303)
    if step.kind == "unavailable":
        flash(step.message, "danger")
        return redirect(pay_page, code=303)
    flash(f"Payment received. Thank you! Order {order.number} is being set up." if step.kind == "paid"
          else f"Your payment for order {order.number} is being processed.", "success")
    return redirect(order_page, code=303)


@bp.get("/orders/<number>/pay")
@admin_required
def pay(number: str):
    """The pay page of a card order that awaits payment: the saved card and the last refusal."""
    order = own_order(number, current_user.organisation)
    if not order.awaits_payment:
        return redirect(url_for("orders.detail", number=number))
    payment = payment_of(order)
    form = PayForm(seen_attempts=payment.attempts if payment else 0)
    return render_template("orders/pay.html", order=order, payment=payment, form=form,
                           account=payment_account(current_user.organisation))


@bp.post("/orders/<number>/pay")
@admin_required
def pay_submit(number: str):
    order = own_order(number, current_user.organisation)
    form = PayForm()
    if not form.validate_on_submit():
        flash("Reload the page and try again.", "danger")
        return redirect(url_for("orders.pay", number=number), code=303)
    return _after_paying(order, pay_order(order, seen_attempts=form.seen_attempts.data or 0))


@bp.get("/orders")
@login_required
def index():
    page = request.args.get("page", "1")
    orders = orders_page(current_user.organisation, page_number(page))
    return render_template("orders/index.html", orders=orders)


@bp.get("/orders/<number>")
@login_required
def detail(number: str):
    order = order_for(number, current_user.organisation)
    if order is None:
        abort(404)
    return render_template("orders/detail.html", order=order, invoices=invoices_of(order), payment=payment_of(order),
                           live_progress=template_exists("provisioning/_order_progress.html"))


def template_exists(name: str) -> bool:
    """Whether another area supplies ``name`` (the provisioning progress panel)."""
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return False
    return True

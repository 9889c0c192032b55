"""The panels' ordering component: plan -> period -> resources by category -> ordering
parameters (-> recipient) -> summary (the checkout's quote, who pays and how) -> the order,
placed by the one checkout service (``app.orders.checkout``: ``prepare`` and ``place_order``).

Every panel that sells (the customer's Marketplace; the reseller's "Buy more services", "Add new
order" for a customer and "Create subscription") describes itself with an ``OrderingFlow``: who
pays, which plans it offers, for whom the subscription is, and the endpoints of its pages. The
pages are the same templates (``templates/control_panel/ordering/``). Nothing here prices or
validates: the form's inputs become a ``LineRequest`` and every refusal comes from the services,
shown next to the field or the button it is about.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping
from uuid import uuid4

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.cart.input import read_parameters, read_quantities
from app.catalog.offers import plan_offer, plan_offers_page
from app.core.clock import current_now
from app.core.errors import QuoteChanged
from app.orders.checkout import CheckoutRequest, customer_subtotals, place_order, prepare
from app.orders.forms import CheckoutForm
from app.orders.gates import BillingInformationMissing, check_gates
from app.orders.lines import Beneficiary, LineRequest, load_plan_terms
from app.orders.payments import PaymentFailed, methods_for
from app.orders.placing import CheckoutError, find_order
from app.orders.settlement import pay_order
from app.payments.steps import PayStep
from app.orders.validation import OrderInvalid, Problem
from app.core.numbers import page_number, whole_number

PLANS = "control_panel/ordering/plans.html"
CONFIGURE = "control_panel/ordering/plan.html"
SUMMARY = "control_panel/ordering/summary.html"


@dataclass(frozen=True)
class Recipient:
    """Whose subscription the line creates, as a panel's form asks for it: ``read(values)``
    gives the beneficiary and the problems of what was typed; ``fields`` are the form inputs
    the summary carries to the placing; ``template`` renders the inputs on the plan's page."""

    read: Callable[[Mapping, object], tuple[Beneficiary, list[Problem]]]
    fields: tuple[str, ...]
    template: str
    options: Callable[[Mapping], dict] | None = None  # what ``template`` shows besides the values


SELF = Recipient(lambda values, plan: (Beneficiary.self_(), []), (), "")


@dataclass
class OrderingFlow:
    """One panel's way to buy. ``endpoints``: ``plans`` (the list), ``plan`` (configure),
    ``order`` (summary and placing), ``placed`` (the order's page, by ``number``), each called
    with ``url_values``. ``on_behalf``: placed by the buyer's reseller for it, so only payment
    methods that need nobody of the buyer at hand (on account) are offered."""

    buyer: object
    marketplace: object
    audience: str
    endpoints: dict
    title: str
    intro: str = ""
    url_values: dict = field(default_factory=dict)
    recipient: Recipient = SELF
    on_behalf: bool = False
    crumbs: tuple = ()  # (label, url) before the flow's own pages
    show_customer_price: bool = False  # a reseller paying for a customer: its customer's price beside its cost

    def url(self, page: str, **values) -> str:
        return url_for(self.endpoints[page], **self.url_values, **values)

    def carried(self, values: Mapping) -> dict:
        """The recipient's inputs, to carry from the plan's page through the summary."""
        return {name: values.get(name, "") for name in self.recipient.fields if values.get(name)}

    def recipient_options(self, values: Mapping) -> dict:
        return self.recipient.options(values) if self.recipient.options else {}

    def methods(self, currency: str):
        methods = methods_for(self.buyer, currency)
        return [method for method in methods if method.name == "on_account"] if self.on_behalf else methods


def term_id(values) -> int | None:
    text = values.get("term", "")
    return whole_number(text)


def _page_number() -> int:
    text = request.args.get("page", "1")
    return page_number(text)


def show_plans(flow: OrderingFlow, per_page: int = 12):
    """The plans the flow offers, searched by ``q`` and paged by ``page`` (both in the URL)."""
    search = request.args.get("q", "")[:100]
    offers = plan_offers_page(flow.buyer, flow.marketplace, flow.audience, search, _page_number(), per_page)
    return render_template(PLANS, flow=flow, offers=offers, search=search)


def show_plan(flow: OrderingFlow, plan_id: int):
    """Choose the period, the resources, the ordering parameters (and the recipient)."""
    offer = plan_offer(plan_id, flow.buyer, flow.marketplace, flow.audience, term_id(request.args))
    if offer is None:
        abort(404)
    return render_template(CONFIGURE, flow=flow, offer=offer, values=request.args, problems=[])


def _line(flow: OrderingFlow, plan_id: int, values):
    """The line the form asks for, and the problems of what was typed (not numbers, ...)."""
    term = load_plan_terms([term_id(values)]).get(term_id(values))
    if term is None or term.plan_id != plan_id:
        abort(404)
    quantities, problems = read_quantities(values, term.plan)
    parameters = read_parameters(values, term.plan.product)
    beneficiary, recipient_problems = flow.recipient.read(values, term.plan)
    line = LineRequest(term.id, quantities, parameters, beneficiary, values.get("postponed_billing") in ("1", "y", "on"))
    return line, problems + recipient_problems


def _configure_again(flow: OrderingFlow, plan_id: int, values, problems, status: int = 422):
    offer = plan_offer(plan_id, flow.buyer, flow.marketplace, flow.audience, term_id(values))
    return render_template(CONFIGURE, flow=flow, offer=offer, plan_id=plan_id, values=values, problems=problems), status


def _summary(flow: OrderingFlow, form, preview, line, values, refusal=None, status: int = 200):
    methods = flow.methods(preview.quote.currency)
    form.payment_method.choices = [(m.name, m.label) for m in methods]
    blocked = None
    try:  # the checkout's gates, as placing will run them: a member sees why it may not order
        check_gates(preview.buyer, current_user, preview.marketplace, preview.lines)
    except CheckoutError as refused:
        blocked = refused
    return render_template(SUMMARY, flow=flow, form=form, preview=preview, line=line, methods=methods,
                           refusal=refusal or blocked, blocked=blocked, carried=flow.carried(values),
                           billing_missing=isinstance(blocked, BillingInformationMissing),
                           customer_subtotals=customer_subtotals(preview) if flow.show_customer_price else None,
                           accepted=set(request.form.getlist("terms"))), status


def order(flow: OrderingFlow, plan_id: int):
    """GET: the summary of the line chosen; POST: place it, as confirmed (once per form)."""
    form = CheckoutForm()
    if form.is_submitted() and (placed := find_order(flow.buyer.id, form.idempotency_key.data or "")):
        return redirect(flow.url("placed", number=placed.number), code=303)
    values = request.form if request.method == "POST" else request.args
    if request.method == "GET" and term_id(values) is None:  # no period chosen yet: choose it first
        return redirect(flow.url("plan", plan_id=plan_id))
    line, problems = _line(flow, plan_id, values)
    if problems:
        return _configure_again(flow, plan_id, values, problems)
    try:
        preview = prepare(flow.buyer, flow.marketplace, [line])
    except OrderInvalid as invalid:
        return _configure_again(flow, plan_id, values, invalid.problems)
    if request.method == "GET":
        form.idempotency_key.data, form.fingerprint.data = uuid4().hex, preview.quote.fingerprint
        methods = flow.methods(preview.quote.currency)
        form.payment_method.data = methods[0].name if methods else ""
        return _summary(flow, form, preview, line, values)
    form.payment_method.choices = [(m.name, m.label) for m in flow.methods(preview.quote.currency)]
    if not form.validate():
        return _summary(flow, form, preview, line, values, status=400)
    return _place(flow, plan_id, form, preview, line)


def _place(flow: OrderingFlow, plan_id: int, form, preview, line):
    checkout_request = CheckoutRequest(
        buyer=flow.buyer, placed_by=current_user, marketplace=preview.marketplace, lines=[line],
        idempotency_key=form.idempotency_key.data, fingerprint=form.fingerprint.data,
        accepted_terms=frozenset(request.form.getlist("terms")), payment_method=form.payment_method.data,
    )
    try:
        placed = place_order(checkout_request, current_now(), preview)
    except QuoteChanged as changed:
        preview.quote, form.fingerprint.data = changed.quote, changed.quote.fingerprint
        return _summary(flow, form, preview, line, request.form, refusal=changed, status=409)
    except OrderInvalid as invalid:
        return _configure_again(flow, plan_id, request.form, invalid.problems)
    except (CheckoutError, PaymentFailed) as refused:
        return _summary(flow, form, preview, line, request.form, refusal=refused, status=refused.status)
    if placed.awaits_payment:  # a card order: placed, now charged
        return _after_paying(flow, placed, pay_order(placed, seen_attempts=0))
    flash(f"Thank you! Order {placed.number} is placed.", "success")
    return redirect(flow.url("placed", number=placed.number), code=303)


def _after_paying(flow: OrderingFlow, placed, step: PayStep):
    """The order's page, through the bank (3-D Secure) or the card form when the payment needs
    them; the order's own pay page shows a decline and pays again."""
    order_page = flow.url("placed", number=placed.number)
    if step.kind == "authenticate":
        return redirect(url_for("payments.authenticate", order_id=placed.id, next=order_page), code=303)
    if step.kind == "add_card":
        flash(f"Add a card to pay order {placed.number}.", "info")
        return redirect(url_for("payments.card", next=url_for("orders.pay", number=placed.number)), code=303)
    if step.kind in ("declined", "unavailable"):
        flash(f"The payment did not go through: {step.message} Order {placed.number} is not paid; you can pay it again.", "danger")
        return redirect(order_page, code=303)
    flash(f"Payment received. Thank you! Order {placed.number} is being set up." if step.kind == "paid"
          else f"Your payment for order {placed.number} is being processed.", "success")
    return redirect(order_page, code=303)

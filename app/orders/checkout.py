"""Placing an order: the one sequence every way to buy goes through.

``prepare`` validates and quotes (reads only); ``place_order`` places: the checkout's gates
(``app.orders.gates``) -> validate -> quote -> compare with the fingerprint the buyer saw ->
lock the paying organisation (``app.orders.placing``, shared with changes) -> payment
authorisation (the credit check) -> order, lines with frozen prices, new customers,
``pending`` subscriptions -> payment collection -> when that settles the order (on account:
the invoice), confirmation and hand-off to provisioning -> commit. A card order is committed
unpaid; the caller then charges it (``app.orders.settlement.pay_order``) and its payment's
"succeeded" hook settles it. Idempotent by the checkout form's token. No request or session
in here: a panel, an API or a test calls it the same way.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

from sqlalchemy import select

from app.accounts.access import visible_organisation_ids
from app.accounts.activity import record_activity
from app.accounts.customers import CustomerRefused, DuplicateCustomer, NewCustomer, create_customer, name_key, names_taken
from app.accounts.models import Organisation
from app.billing.models import PaymentMethodName
from app.catalog.pricing import PriceBasis, PriceBook, Viewer, viewer_for
from app.core.errors import QuoteChanged
from app.extensions import db
from app.orders.gates import check_gates
from app.orders.lines import BeneficiaryKind, LineRequest, load_plan_terms
from app.orders.models import Order, OrderLine, OrderLineKind
from app.orders.line_values import end_customer_book, purchase_line_values
from app.orders.payments import payment_method
from app.orders.placing import CheckoutError, OrderHeader, frozen_items, place_idempotently, write_order
from app.orders.quote import Quote, build_quote, price_purchase
from app.orders.settlement import release_settled_order
from app.billing.tax import reverse_charge_for
from app.orders.validation import OrderInvalid, Problem, Purchaser, name_taken_problem, new_customers_of, validate_lines
from app.plans.models import Subscription, SubscriptionResource
from app.plans.states import SubscriptionStatus


# The ordering forms' field for each field of a customer account the checkout fills.
NEW_CUSTOMER_FIELDS = {"name": "new_customer_name", "contact_name": "new_customer_name", "contact_email": "new_customer_email",
                       "billing_contact_name": "new_customer_name", "billing_contact_email": "new_customer_email"}
PRICES_CHANGED = "Prices changed since you looked. Check the new summary and place the order again."


class TermsNotAccepted(CheckoutError):
    pass

@dataclass(frozen=True)
class TermsToAccept:
    what: str  # "marketplace" or "product:<slug>"
    title: str
    version: str
    text: str

    @property
    def token(self) -> str:
        """What the checkbox posts: the terms and the version the buyer saw."""
        return f"{self.what}@{self.version}"


@dataclass
class Preview:
    """A validated, quoted set of lines: what the checkout page shows and places."""

    buyer: Organisation
    marketplace: object
    lines: list[LineRequest]
    plan_terms: dict
    quote: Quote
    terms: list[TermsToAccept] = field(default_factory=list)
    book: PriceBook | None = None  # the buyer's prices the quote was made with (reused when placing)


@dataclass
class CheckoutRequest:
    buyer: Organisation  # the paying organisation
    placed_by: object | None  # the user
    marketplace: object
    lines: Sequence[LineRequest]
    idempotency_key: str
    fingerprint: str  # of the quote the buyer confirmed
    accepted_terms: frozenset[str] = frozenset()  # TermsToAccept.token values
    payment_method: str = PaymentMethodName.ON_ACCOUNT.value
    cart: object | None = None  # emptied in the same transaction as the order is placed


def own_customer_ids(buyer, among: Collection[int] | None = None) -> frozenset[int]:
    """The buyer's own customers (only those among ``among`` when given)."""
    return frozenset(i for i in visible_organisation_ids(buyer, among) if i != buyer.id)


def purchaser_for(buyer, lines: Sequence[LineRequest]) -> Purchaser:
    """``buyer`` (``None``: anonymous) with those of its own customers the lines are for (the
    validation asks only about them, and a reseller may have thousands), and what the
    validation needs of the new customers they open: which names it has already (one query)."""
    if buyer is None:
        return Purchaser(None)
    wanted = {line.beneficiary.organisation_id for line in lines if line.beneficiary.kind is BeneficiaryKind.CUSTOMER}
    opened = new_customers_of(lines)
    taken = names_taken(buyer, [line.beneficiary.name for line in lines
                                if line.beneficiary.kind is BeneficiaryKind.NEW_CUSTOMER]) if buyer.acts_as_reseller else frozenset()
    return Purchaser(buyer, own_customer_ids(buyer, wanted), taken, opened)


def beneficiary_labels(lines: Sequence[LineRequest], buyer) -> list[str]:
    ids = {line.beneficiary.organisation_id for line in lines if line.beneficiary.kind is BeneficiaryKind.CUSTOMER}
    rows = db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all() if ids else []
    names = {row.id: row.name for row in rows}
    labels = []
    for line in lines:
        beneficiary = line.beneficiary
        if beneficiary.kind is BeneficiaryKind.CUSTOMER:
            labels.append(names.get(beneficiary.organisation_id, "Unknown customer"))
        elif beneficiary.kind is BeneficiaryKind.NEW_CUSTOMER:
            labels.append(f"New customer: {beneficiary.name}")
        else:
            labels.append(buyer.name if buyer is not None else "You")
    return labels


def quote_lines(lines: Sequence[LineRequest], plan_terms: dict, book: PriceBook, marketplace, buyer) -> Quote:
    """The quote of validated lines for ``buyer`` (``None``: an anonymous visitor, no tax rule)."""
    labels = beneficiary_labels(lines, buyer)
    priced = [price_purchase(line, plan_terms[line.plan_term_id], book, label) for line, label in zip(lines, labels)]
    return build_quote(priced, marketplace.currency, marketplace.tax_rate_bp, reverse_charge_for(buyer, marketplace))


def terms_to_accept(marketplace, plan_terms: dict) -> list[TermsToAccept]:
    terms = []
    if marketplace.terms_text:
        terms.append(TermsToAccept("marketplace", f"{marketplace.name} marketplace terms", marketplace.terms_version, marketplace.terms_text))
    seen = set()
    for term in plan_terms.values():
        product = term.plan.product
        if product.terms_text and product.id not in seen:
            seen.add(product.id)
            terms.append(TermsToAccept(f"product:{product.slug}", f"{product.vendor} terms for {product.name}", product.terms_version, product.terms_text))
    return terms


def prepare(buyer, marketplace, lines: Sequence[LineRequest], *, placed_by=None,
            cart_marketplace_id: int | None = None) -> Preview:
    """Validates the lines for this buyer (``OrderInvalid``) and quotes them. Writes nothing.

    Given ``placed_by`` (someone about to check out), the checkout's gates run first
    (``app.orders.gates``: ``NotAllowedToOrder``, ``CartEmpty``, ``CartOfOtherMarketplace``
    for a cart of ``cart_marketplace_id``, ``BillingInformationMissing``), exactly as
    ``place_order`` runs them; without it this is a price preview for whoever asks."""
    if placed_by is not None:
        check_gates(buyer, placed_by, marketplace, lines, cart_marketplace_id)
    plan_terms = load_plan_terms(line.plan_term_id for line in lines)
    book = PriceBook(viewer_for(buyer), marketplace).load(plan_terms)
    cleaned = validate_lines(lines, plan_terms, marketplace, book, purchaser_for(buyer, lines))
    quote = quote_lines(cleaned, plan_terms, book, marketplace, buyer)
    return Preview(buyer, marketplace, cleaned, plan_terms, quote, terms_to_accept(marketplace, plan_terms), book)


def place_order(request: CheckoutRequest, now: datetime, preview: Preview | None = None) -> Order:
    """Places the order and commits, or raises and leaves nothing behind (the cart intact).
    ``preview``: the ``prepare`` of the same buyer, marketplace and lines the caller made in
    this transaction (the checkout page does, to show its form), else it is made here.

    Guarantees: the checkout's gates hold (``app.orders.gates``, whatever ``preview`` says);
    the buyer pays the quote it confirmed (else ``QuoteChanged`` with the new one in
    ``quote``); every line is valid (``OrderInvalid``); all terms were accepted in the versions
    shown (``TermsNotAccepted``); payment refusals raise ``PaymentFailed``. A new customer a
    line opens is made by ``app.accounts.customers.create_customer`` (one per name, whatever
    the number of its lines); a name the reseller has already is ``OrderInvalid`` before
    anything is written, also when that customer was made after ``preview``. The same
    idempotency key returns the order it placed first, also when submits race
    (``app.orders.placing.place_idempotently``)."""

    def check():
        cart = request.cart
        cart_marketplace_id = cart.marketplace_id if cart is not None and cart.lines else None
        check_gates(request.buyer, request.placed_by, request.marketplace, request.lines, cart_marketplace_id)
        checked = preview if preview is not None else prepare(request.buyer, request.marketplace, request.lines)
        if checked.quote.fingerprint != request.fingerprint:
            raise QuoteChanged(PRICES_CHANGED, checked.quote)
        return checked, _acceptance(checked.terms, request.accepted_terms, now), payment_method(request.payment_method)

    def place(buyer, checked) -> Order:
        checked_preview, acceptance, method = checked
        method.authorise(buyer, checked_preview.quote)
        order = _write_order(request, checked_preview, acceptance, now)
        _record_order(order, buyer, request.placed_by, now)
        collected = method.collect(order, now)
        if collected.settled:
            release_settled_order(order, collected.invoice, now)
        if request.cart is not None:
            request.cart.lines.clear()
        return order

    return place_idempotently(request.buyer.id, request.idempotency_key, check=check, place=place,
                              found=lambda order: order,
                              conflict_message="This checkout form was already used. Reload the page and try again.")


def _record_order(order: Order, buyer: Organisation, placed_by, now: datetime) -> None:
    """The order in its buyer's activity log and, for each customer it was bought for, in that
    customer's log too (on behalf of the buyer: not mirrored back, the buyer has its own)."""
    record_activity(buyer.id, "order.placed", f"Order {order.number} placed: {'; '.join(line.description for line in order.lines)}",
                    actor=placed_by, subject=order, now=now)
    beneficiaries: dict[int, list[str]] = {}
    for line in order.lines:
        if line.beneficiary is not None and line.beneficiary.id != buyer.id:
            beneficiaries.setdefault(line.beneficiary.id, []).append(line.description)
    for organisation_id, descriptions in beneficiaries.items():
        record_activity(organisation_id, "order.placed",
                        f"Order {order.number} placed by {buyer.name} for you: {'; '.join(descriptions)}",
                        actor=placed_by, subject=order, now=now, mirror=False)


def _acceptance(terms: list[TermsToAccept], accepted: frozenset[str], now: datetime) -> list[dict]:
    missing = [t for t in terms if t.token not in accepted]
    if missing:
        names = ", ".join(t.title for t in missing)
        raise TermsNotAccepted(f"Please accept {names} to place the order.")
    return [{"what": t.what, "title": t.title, "version": t.version, "accepted_at": now.isoformat(timespec="seconds")} for t in terms]


def _write_order(request: CheckoutRequest, preview: Preview, acceptance: list[dict], now: datetime) -> Order:
    quote = preview.quote
    header = OrderHeader(buyer_id=request.buyer.id, placed_by=request.placed_by, marketplace_id=request.marketplace.id,
                         payment_method=request.payment_method, idempotency_key=request.idempotency_key,
                         fingerprint=quote.fingerprint, terms_acceptance=acceptance)

    def lines():
        new_customers: dict[str, Organisation] = {}
        books = {}
        for index, (line, priced) in enumerate(zip(preview.lines, quote.lines)):
            term = preview.plan_terms[line.plan_term_id]
            beneficiary = _beneficiary(line, index, request, new_customers, now)
            subscription = _pending_subscription(line, term, beneficiary, request, quote.currency)
            order_line = OrderLine(
                kind=OrderLineKind.PURCHASE.value, plan_term_id=term.id, beneficiary=beneficiary,
                subscription=subscription, description=priced.description, quantities=dict(line.quantities),
                parameters=dict(line.parameters), postponed_billing=line.postponed_billing, subtotal=priced.subtotal,
                admin_email=line.beneficiary.admin_email if line.beneficiary.kind is BeneficiaryKind.NEW_CUSTOMER else "",
            )
            order_line.items = frozen_items(priced)
            for_itself = line.beneficiary.kind is BeneficiaryKind.SELF
            if for_itself not in books:
                books[for_itself] = _end_customer_book(request, preview, for_itself)
            values = purchase_line_values(order_line.items, term, books[for_itself],
                                          own_use=for_itself and request.buyer.acts_as_reseller)
            order_line.cost_subtotal, order_line.resale_subtotal = values.cost, values.resale
            yield order_line

    return write_order(header, quote, lines, now)


def _end_customer_book(request: CheckoutRequest, preview: Preview, for_itself: bool) -> PriceBook:
    """The prices of the lines' end customer (``end_customer_book``). For the buyer's own lines
    that is the very book the quote was priced with (same viewer, marketplace and moment):
    reused rather than read again."""
    book = end_customer_book(request.buyer, for_itself, request.marketplace)
    quoted = preview.book
    if quoted is not None and quoted.viewer == book.viewer and quoted.marketplace.id == request.marketplace.id:
        return quoted.load(preview.plan_terms)  # every term is loaded already: no query
    return book.load(preview.plan_terms)


def _beneficiary(line: LineRequest, index: int, request: CheckoutRequest, new_customers: dict, now: datetime) -> Organisation:
    beneficiary = line.beneficiary
    if beneficiary.kind is BeneficiaryKind.CUSTOMER:
        return db.session.get(Organisation, beneficiary.organisation_id)
    if beneficiary.kind is BeneficiaryKind.NEW_CUSTOMER:
        key = name_key(beneficiary.name)  # lines opening the same name make one customer (validated: one administrator)
        if key not in new_customers:
            new_customers[key] = _new_customer(beneficiary, index, request, now)
        return new_customers[key]
    return request.buyer


def _new_customer(beneficiary, index: int, request: CheckoutRequest, now: datetime) -> Organisation:
    """The customer account the line opens, by the one rule (``create_customer``): named as
    given, its administrator's e-mail as contact (and billing contact), under the reseller's row
    lock. Its administrator (the line's ``admin_email``) is invited by provisioning. A refusal
    the checks before the lock did not foresee (a customer of that name made meanwhile, reselling
    switched off) is ``OrderInvalid`` like theirs, and the placing writes nothing."""
    details = NewCustomer(name=beneficiary.name, contact_name=beneficiary.name, contact_email=beneficiary.admin_email,
                          marketplace_id=request.marketplace.id)
    try:
        return create_customer(request.buyer, details, actor=request.placed_by, now=now)
    except DuplicateCustomer as refused:
        raise OrderInvalid([name_taken_problem(" ".join(beneficiary.name.split()), index)
                            if refused.field == "name" else Problem(refused.message, "beneficiary", index)]) from None
    except CustomerRefused as refused:
        raise OrderInvalid([Problem(refused.message, NEW_CUSTOMER_FIELDS.get(refused.field, "beneficiary"), index)]) from None


def _pending_subscription(line: LineRequest, term, owner: Organisation, request: CheckoutRequest, currency: str) -> Subscription:
    subscription = Subscription(
        owner=owner, payer_id=request.buyer.id, plan_id=term.plan_id, plan_term_id=term.id,
        marketplace_id=request.marketplace.id, currency=currency, status=SubscriptionStatus.PENDING.value,
        parameters=dict(line.parameters), postponed_billing=line.postponed_billing,
    )
    subscription.resources = [
        SubscriptionResource(resource_id=pr.resource_id, quantity=line.quantities[pr.resource.code])
        for pr in term.plan.resources if not pr.resource.is_one_time
    ]
    db.session.add(subscription)
    return subscription



def customer_subtotals(preview: Preview) -> list[int | None]:
    """Beside what a reseller pays: each line it buys for a customer (existing or new) at the
    reseller's own customer prices, before tax, what that customer is charged for the same
    (``None`` for the reseller's own lines, or when the buyer is no reseller). Reads prices
    only; one query."""
    buyer = preview.buyer
    if buyer is None or not buyer.acts_as_reseller:
        return [None] * len(preview.lines)
    book = PriceBook(Viewer(PriceBasis.RESELLER_PRICE, reseller_id=buyer.id), preview.marketplace).load(preview.plan_terms)
    return [None if line.beneficiary.kind is BeneficiaryKind.SELF
            else price_purchase(line, preview.plan_terms[line.plan_term_id], book).subtotal for line in preview.lines]

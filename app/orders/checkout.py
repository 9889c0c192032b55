"""Placing an order: the one sequence every way to buy goes through.

``prepare`` validates and quotes (reads only); ``place_order`` places: validate -> quote ->
compare with the fingerprint the buyer saw -> lock the paying organisation -> payment
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
from typing import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.access import visible_organisation_ids
from app.accounts.models import Organisation, OrganisationKind
from app.billing.models import PaymentMethodName
from app.catalog.pricing import PriceBook, viewer_for
from app.core.locks import locked_one
from app.core.numbering import next_number
from app.extensions import db
from app.orders.lines import BeneficiaryKind, LineRequest, load_plan_terms
from app.orders.models import Order, OrderLine, OrderLineItem, OrderLineKind, OrderStatus
from app.orders.payments import payment_method
from app.orders.quote import Quote, build_quote, price_purchase
from app.orders.settlement import release_settled_order
from app.billing.tax import is_reverse_charge
from app.orders.validation import Purchaser, validate_lines
from app.plans.models import Subscription, SubscriptionResource
from app.plans.states import SubscriptionStatus
from app.provisioning.handoff import hand_off


class CheckoutError(Exception):
    """The order was not placed; ``buyer_message`` says why."""

    def __init__(self, buyer_message: str) -> None:
        super().__init__(buyer_message)
        self.buyer_message = buyer_message


class QuoteChanged(CheckoutError):
    """Prices changed since the buyer's quote: ``quote`` is the new one to confirm."""

    def __init__(self, quote: Quote) -> None:
        super().__init__("Prices changed since you looked. Check the new summary and place the order again.")
        self.quote = quote


class TermsNotAccepted(CheckoutError):
    pass


class IdempotencyConflict(CheckoutError):
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
    """``buyer`` (``None``: anonymous) with those of its own customers the lines are for: the
    validation asks only about them, and a reseller may have thousands."""
    if buyer is None:
        return Purchaser(None)
    wanted = {line.beneficiary.organisation_id for line in lines if line.beneficiary.kind is BeneficiaryKind.CUSTOMER}
    return Purchaser(buyer, own_customer_ids(buyer, wanted))


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


def reverse_charge_for(buyer, marketplace) -> bool:
    billing = buyer.billing_info if buyer is not None else None
    return billing is not None and is_reverse_charge(marketplace.country, marketplace.tax_region, billing.country, billing.tax_id)


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


def prepare(buyer, marketplace, lines: Sequence[LineRequest]) -> Preview:
    """Validates the lines for this buyer (``OrderInvalid``) and quotes them. Writes nothing."""
    plan_terms = load_plan_terms(line.plan_term_id for line in lines)
    book = PriceBook(viewer_for(buyer), marketplace).load(plan_terms)
    cleaned = validate_lines(lines, plan_terms, marketplace, book, purchaser_for(buyer, lines))
    quote = quote_lines(cleaned, plan_terms, book, marketplace, buyer)
    return Preview(buyer, marketplace, cleaned, plan_terms, quote, terms_to_accept(marketplace, plan_terms))


def find_order(buyer_id: int, idempotency_key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.idempotency_key == idempotency_key, Order.buyer_id == buyer_id))


def place_order(request: CheckoutRequest, now: datetime, preview: Preview | None = None) -> Order:
    """Places the order and commits, or raises and leaves nothing behind. ``preview``: the
    ``prepare`` of the same buyer, marketplace and lines the caller made in this transaction
    (the checkout page does, to show its form), else it is made here.

    Guarantees: the buyer pays the quote it confirmed (else ``QuoteChanged`` with the new
    one); every line is valid (``OrderInvalid``); all terms were accepted in the versions shown
    (``TermsNotAccepted``); payment refusals raise ``PaymentFailed``. The same idempotency key
    returns the order it placed first, also when submits race: the paying organisation's row
    lock serialises them, and the key's unique index catches whatever slips through."""
    existing = find_order(request.buyer.id, request.idempotency_key)
    if existing is not None:
        return existing
    if preview is None:
        preview = prepare(request.buyer, request.marketplace, request.lines)
    if preview.quote.fingerprint != request.fingerprint:
        raise QuoteChanged(preview.quote)
    acceptance = _acceptance(preview.terms, request.accepted_terms, now)
    method = payment_method(request.payment_method)
    try:
        buyer = _lock(request.buyer.id)
        existing = find_order(buyer.id, request.idempotency_key)
        if existing is not None:
            db.session.rollback()  # releases the lock; the order placed by the first submit
            return existing
        method.authorise(buyer, preview.quote)
        order = _write_order(request, preview, acceptance, now)
        db.session.flush()
        if method.collect(order, now):
            release_settled_order(order, now)
        if request.cart is not None:
            request.cart.lines.clear()
        db.session.commit()
        return order
    except IntegrityError:
        db.session.rollback()
        existing = find_order(request.buyer.id, request.idempotency_key)
        if existing is None:
            raise IdempotencyConflict("This checkout form was already used. Reload the page and try again.") from None
        return existing
    except BaseException:
        db.session.rollback()
        raise


def _lock(organisation_id: int) -> Organisation:
    """The paying organisation's row, locked until the transaction ends (PostgreSQL)."""
    return locked_one(select(Organisation).where(Organisation.id == organisation_id))


def _acceptance(terms: list[TermsToAccept], accepted: frozenset[str], now: datetime) -> list[dict]:
    missing = [t for t in terms if t.token not in accepted]
    if missing:
        names = ", ".join(t.title for t in missing)
        raise TermsNotAccepted(f"Please accept {names} to place the order.")
    return [{"what": t.what, "title": t.title, "version": t.version, "accepted_at": now.isoformat(timespec="seconds")} for t in terms]


def _write_order(request: CheckoutRequest, preview: Preview, acceptance: list[dict], now: datetime) -> Order:
    quote = preview.quote
    order = Order(
        number=next_number("ORD", now), buyer_id=request.buyer.id, placed_by=request.placed_by,
        marketplace_id=request.marketplace.id, currency=quote.currency, status=OrderStatus.PLACED.value,
        subtotal=quote.subtotal, tax=quote.tax, total=quote.total, tax_rate_bp=quote.tax_rate_bp,
        reverse_charge=quote.reverse_charge, payment_method=request.payment_method,
        idempotency_key=request.idempotency_key, quote_fingerprint=quote.fingerprint,
        terms_acceptance=acceptance, created_at=now,
    )
    db.session.add(order)
    new_customers: dict[tuple[str, str], Organisation] = {}
    for position, (line, priced) in enumerate(zip(preview.lines, quote.lines), start=1):
        term = preview.plan_terms[line.plan_term_id]
        beneficiary = _beneficiary(line, request, new_customers)
        subscription = _pending_subscription(line, term, beneficiary, request, quote.currency)
        order_line = OrderLine(
            position=position, kind=OrderLineKind.PURCHASE.value, plan_term_id=term.id, beneficiary=beneficiary,
            subscription=subscription, description=priced.description, quantities=dict(line.quantities),
            parameters=dict(line.parameters), postponed_billing=line.postponed_billing, subtotal=priced.subtotal,
            admin_email=line.beneficiary.admin_email if line.beneficiary.kind is BeneficiaryKind.NEW_CUSTOMER else "",
        )
        order_line.items = frozen_items(priced)
        order.lines.append(order_line)
    return order


def frozen_items(priced) -> list[OrderLineItem]:
    """A quote line's items as charged, frozen on the order line."""
    return [
        OrderLineItem(position=index, description=item.description, resource_code=item.resource_code,
                      unit_price=item.unit_price, quantity=item.quantity,
                      period_fraction=str(item.period_fraction) if item.period_fraction is not None else "",
                      one_time=item.one_time, billed_later=item.billed_later, subtotal=item.subtotal)
        for index, item in enumerate(priced.items, start=1)
    ]


def _beneficiary(line: LineRequest, request: CheckoutRequest, new_customers: dict) -> Organisation:
    beneficiary = line.beneficiary
    if beneficiary.kind is BeneficiaryKind.CUSTOMER:
        return db.session.get(Organisation, beneficiary.organisation_id)
    if beneficiary.kind is BeneficiaryKind.NEW_CUSTOMER:
        key = (beneficiary.name.casefold(), beneficiary.admin_email)
        if key not in new_customers:
            # Its administrator (line.admin_email) is invited by provisioning.
            new_customers[key] = Organisation(
                name=beneficiary.name, kind=OrganisationKind.CUSTOMER.value, parent_id=request.buyer.id,
                marketplace_id=request.marketplace.id,
            )
            db.session.add(new_customers[key])
        return new_customers[key]
    return request.buyer


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



# --- Changing an existing subscription (way 5: change resource limits) ---------------------


@dataclass
class ChangeRequest:
    subscription_id: int
    requested: Mapping[int, int]  # resource id -> the new quantity
    fingerprint: str  # of the change quote the buyer confirmed
    idempotency_key: str
    placed_by: object | None = None  # the user
    by_customer: bool = False  # a customer changes only what its plan lets customers change


class ChangeQuoteChanged(CheckoutError):
    """The change's price moved since the buyer saw it: ``preview`` is the new one."""

    def __init__(self, preview) -> None:
        super().__init__("The price of this change has changed since you saw it: check the new amounts and confirm again.")
        self.preview = preview


@dataclass(frozen=True)
class PlacedChange:
    order: Order | None  # None: a decrease that waits for the next period (nothing to charge now)
    charge_by_card: bool = False


def preview_change(subscription, requested: Mapping[int, int], now: datetime, *, by_customer: bool = False):
    """The change quote at every tier and the payer's order for it (``ChangePreview``). Raises
    a ``LifecycleRefused`` subclass naming the rule a quantity breaks. Writes nothing."""
    from app.orders.change_lines import price_change
    from app.plans.change_quote import quote_change
    from app.plans.changes import change_context

    change = quote_change(change_context(subscription, now), requested, now, by_customer=by_customer)
    return price_change(subscription, change, subscription.marketplace.tax_rate_bp,
                        reverse_charge_for(subscription.payer, subscription.marketplace))


def place_change_order(request: ChangeRequest, now: datetime) -> PlacedChange:
    """Confirms a quantity change through the checkout's sequence and commits, or raises and
    leaves nothing behind: lock the payer, then the subscription -> re-quote and compare with
    the fingerprint the buyer saw (``ChangeQuoteChanged`` with the new preview) -> credit check
    (on account) -> ``confirm_change`` (quantities that change now apply at once, under the
    lock: two changes serialise; decreases that wait are scheduled) -> a ``change`` order with
    frozen items -> its invoice (a credit note for a refund) -> hand-off of a ``change``
    request -> commit. A card invoice is charged right after, off-session (declined: dunning).
    The same idempotency key returns the order placed first."""
    from app.orders.change_lines import authorise_change, invoice_change, write_change_order
    from app.plans.changes import confirm_change
    from app.plans.invoicing import payment_method_of
    from app.plans.store import lock_subscription

    subscription = db.session.get(Subscription, request.subscription_id)
    existing = find_order(subscription.payer_id, request.idempotency_key)
    if existing is not None:
        return PlacedChange(existing)
    method = payment_method_of(subscription)
    try:
        buyer = _lock(subscription.payer_id)
        if (existing := find_order(buyer.id, request.idempotency_key)) is not None:
            db.session.rollback()
            return PlacedChange(existing)
        subscription = lock_subscription(request.subscription_id)
        preview = preview_change(subscription, request.requested, now, by_customer=request.by_customer)
        if preview.change.fingerprint != request.fingerprint:
            raise ChangeQuoteChanged(preview)
        authorise_change(buyer, method, preview)
        before = {row.resource.code: row.quantity for row in subscription.resources}
        confirmed = confirm_change(subscription.id, request.requested, request.fingerprint, now,
                                   by_customer=request.by_customer,
                                   created_by_id=request.placed_by.id if request.placed_by is not None else None)
        order = None
        if confirmed.quantities_now:
            order = write_change_order(request, preview, subscription, before, method, now)
            invoice_change(order, subscription, method, now)
            hand_off(order, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find_order(subscription.payer_id, request.idempotency_key)
        if existing is None:
            raise IdempotencyConflict("This form was already used. Reload the page and try again.") from None
        return PlacedChange(existing)
    except BaseException:
        db.session.rollback()
        raise
    by_card = order is not None and method == PaymentMethodName.CARD.value and order.total > 0
    if by_card:
        from app.plans.collection import collect_due_charge

        collect_due_charge(subscription.id, now)
    return PlacedChange(order, by_card)

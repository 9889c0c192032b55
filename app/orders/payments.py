"""How an order is paid: a small registry of payment methods keyed by name.

Each method is a small class with two steps that run inside the checkout's transaction, with
the paying organisation's row locked: ``authorise`` before the order is written (may refuse),
``collect`` after (records the invoice, or marks the order as awaiting its payment) and says
whether the order is settled, so provisioning may start at once, and with which invoice. Refusals are
``PaymentFailed`` refusals (``app.core.errors``) carrying a message for the buyer; the checkout rolls everything
back on them.

On account settles at placing (an open invoice, net 30). Card does not: the order is committed
unpaid and charged right after (``app.orders.settlement.pay_order``); it is settled, invoiced and
provisioned by the payment's "succeeded" hook, exactly once, whichever of the confirmed intent
and the webhook reports it first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from app.billing.models import PaymentMethodName
from app.billing.services import credit_currency, invoice_order, remaining_credit
from app.catalog.reference import all_marketplaces
from app.core.errors import Refusal, RefusalKind
from app.money import Money
from app.orders.models import OrderPaymentStatus
from app.orders.settlement import mark_paid


class PaymentFailed(Refusal):
    """The order cannot be paid this way; ``message`` tells the buyer why."""

    kind = RefusalKind.PAYMENT_REQUIRED


class PaymentMethodUnavailable(PaymentFailed):
    """The method does not exist or is not offered to this buyer for this order."""


class PaymentDeclined(PaymentFailed):
    """The method was tried and refused the amount."""


class CreditLimitExceeded(PaymentDeclined):
    def __init__(self, buyer_message: str, remaining: Money) -> None:
        super().__init__(buyer_message)
        self.remaining = remaining


@dataclass(frozen=True)
class Collected:
    """What ``collect`` did: whether the order is settled now (provisioning may start), and
    the invoice it issued (handed on, so the confirmation need not read it back)."""

    settled: bool
    invoice: object | None = None  # Invoice


def _locale(organisation) -> str:
    marketplace = all_marketplaces().by_id.get(organisation.marketplace_id)  # a snapshot: no query
    return marketplace.locale if marketplace is not None else "en_US"


class PaymentMethod:
    name = ""
    label = ""
    description = ""

    def available_for(self, buyer, currency: str) -> bool:
        raise NotImplementedError

    def authorise(self, buyer, quote) -> None:
        """Refuses (``PaymentFailed``) before anything is written, or returns."""
        raise NotImplementedError

    def collect(self, order, now: datetime) -> Collected:
        """Records how the order just written is paid; may still refuse. Settled when the order
        is settled now (provisioning may start); not when its payment comes later."""
        raise NotImplementedError


class OnAccount(PaymentMethod):
    """Invoiced, net 30, within the organisation's credit limit."""

    name = PaymentMethodName.ON_ACCOUNT.value
    label = "On account"
    description = "Invoiced to your organisation, payable within 30 days."

    def available_for(self, buyer, currency: str) -> bool:
        return buyer.credit_limit is not None and credit_currency(buyer) == currency

    def authorise(self, buyer, quote) -> None:
        if buyer.credit_limit is None:
            raise PaymentMethodUnavailable(
                f"{buyer.name} has no on-account credit with us. Ask your distributor for a credit limit."
            )
        if credit_currency(buyer) != quote.currency:
            raise PaymentMethodUnavailable(
                f"Your credit account is in {credit_currency(buyer)}; this order is in {quote.currency}."
            )
        left = remaining_credit(buyer)
        if quote.total > left.amount:
            locale = _locale(buyer)
            shown = left if left.amount > 0 else Money.zero(left.currency)
            raise CreditLimitExceeded(
                f"This order of {quote.money(quote.total).format(locale)} is over your credit limit: "
                f"only {shown.format(locale)} of credit left.",
                left,
            )

    def collect(self, order, now: datetime) -> Collected:
        invoice = invoice_order(order, now, payment_method=self.name)
        order.payment_status = OrderPaymentStatus.INVOICED.value
        return Collected(True, invoice)


def card_payments_configured(config) -> bool:
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_PUBLISHABLE_KEY") and config.get("STRIPE_API_BASE"))


class Card(PaymentMethod):
    """Charged to the organisation's saved card (Stripe) right after the order is placed."""

    name = PaymentMethodName.CARD.value
    label = "Card"
    description = "Pay now by credit or debit card; your card is kept for renewals."

    def available_for(self, buyer, currency: str) -> bool:
        return card_payments_configured(current_app.config)

    def authorise(self, buyer, quote) -> None:
        if not self.available_for(buyer, quote.currency):
            raise PaymentMethodUnavailable("Card payments are not available at the moment.")

    def collect(self, order, now: datetime) -> Collected:
        if order.total > 0:
            order.payment_status = OrderPaymentStatus.UNPAID.value
            return Collected(False)
        return Collected(True, mark_paid(order, now))  # nothing to charge (e.g. a free first month): paid as it is


PAYMENT_METHODS: dict[str, PaymentMethod] = {}


def register(method: PaymentMethod) -> PaymentMethod:
    PAYMENT_METHODS[method.name] = method
    return method


register(OnAccount())
register(Card())


def payment_method(name: str) -> PaymentMethod:
    try:
        return PAYMENT_METHODS[name]
    except KeyError:
        raise PaymentMethodUnavailable("Choose one of the payment methods offered.") from None


def methods_for(buyer, currency: str) -> list[PaymentMethod]:
    """The methods this buyer may pay an order in ``currency`` with."""
    return [method for method in PAYMENT_METHODS.values() if method.available_for(buyer, currency)]

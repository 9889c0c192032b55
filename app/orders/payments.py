"""How an order is paid: a small registry of payment methods keyed by name.

Each method is a small class with two steps that run inside the checkout's transaction, with
the paying organisation's row locked: ``authorise`` before the order is written (may refuse),
``collect`` after (records the invoice or the charge). Refusals are ``PaymentFailed``
exceptions carrying a message for the buyer; the checkout rolls everything back on them.
A card method (its own issue) registers itself with ``register``.
"""
from __future__ import annotations

from datetime import datetime

from app.billing.services import credit_currency, invoice_order, remaining_credit
from app.catalog.reference import all_marketplaces
from app.money import Money


class PaymentFailed(Exception):
    """The order cannot be paid this way; ``buyer_message`` tells the buyer why."""

    def __init__(self, buyer_message: str) -> None:
        super().__init__(buyer_message)
        self.buyer_message = buyer_message


class PaymentMethodUnavailable(PaymentFailed):
    """The method does not exist or is not offered to this buyer for this order."""


class PaymentDeclined(PaymentFailed):
    """The method was tried and refused the amount."""


class CreditLimitExceeded(PaymentDeclined):
    def __init__(self, buyer_message: str, remaining: Money) -> None:
        super().__init__(buyer_message)
        self.remaining = remaining


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

    def collect(self, order, now: datetime) -> None:
        """Records the payment of the order just written; may still refuse."""
        raise NotImplementedError


class OnAccount(PaymentMethod):
    """Invoiced, net 30, within the organisation's credit limit."""

    name = "on_account"
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

    def collect(self, order, now: datetime) -> None:
        invoice_order(order, now, payment_method=self.name)


PAYMENT_METHODS: dict[str, PaymentMethod] = {}


def register(method: PaymentMethod) -> PaymentMethod:
    PAYMENT_METHODS[method.name] = method
    return method


register(OnAccount())


def payment_method(name: str) -> PaymentMethod:
    try:
        return PAYMENT_METHODS[name]
    except KeyError:
        raise PaymentMethodUnavailable("Choose one of the payment methods offered.") from None


def methods_for(buyer, currency: str) -> list[PaymentMethod]:
    """The methods this buyer may pay an order in ``currency`` with."""
    return [method for method in PAYMENT_METHODS.values() if method.available_for(buyer, currency)]

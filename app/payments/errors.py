"""The family of payment failures a caller (the checkout, renewals) handles: refusals
(``app.core.errors.Refusal``) whose status comes from their kind.

Some carry a message for the buyer (``message``, also read as ``buyer_message``);
``PaymentProviderError`` is only logged and the buyer sees a generic message.
"""
from __future__ import annotations

from app.core.errors import Refusal, RefusalKind

GENERIC_MESSAGE = "We could not reach our payment provider. Nothing was charged; please try again in a moment."


class PaymentError(Refusal):
    """Base of every payment failure; ``message`` is safe to show to the buyer."""

    kind = RefusalKind.PAYMENT_REQUIRED
    message = GENERIC_MESSAGE


class CardDeclined(PaymentError):
    """The bank refused the card (or 3-D Secure failed); the message is the bank's reason."""


class NoCardOnFile(PaymentError):
    """The organisation has no saved card and the caller named none."""

    message = "Add a card before paying by card."


class PaymentCanceled(PaymentError):
    """The order was cancelled unpaid: it can no longer be paid."""

    kind = RefusalKind.CONFLICT
    message = "This order was cancelled because it was not paid in time. Nothing was charged."


class PaymentRequiresAction(PaymentError):
    """The buyer must complete 3-D Secure in the browser: hand ``intent.client_secret`` to
    Stripe.js ``confirmCardPayment``, then call ``refresh_card_payment``."""

    message = "Your bank asks you to confirm this payment."

    def __init__(self, intent) -> None:
        self.intent = intent
        super().__init__()


class PaymentProviderError(PaymentError):
    """The provider failed or answered something unexpected: logged, never shown in detail."""

    kind = RefusalKind.UNAVAILABLE

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__()

    def __str__(self) -> str:
        return self.detail


class InvalidWebhook(Exception):
    """A webhook whose signature, secret, header or timestamp does not check out."""

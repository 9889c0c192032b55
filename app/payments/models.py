"""Saved cards per organisation, one payment row per order, and the webhook events seen."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import current_now
from app.extensions import db


class PaymentStatus(str, enum.Enum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"  # no attempt yet, or a new one starting
    REQUIRES_ACTION = "requires_action"  # 3-D Secure to complete in the browser
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # declined or authentication failed: payable again with a new attempt
    REFUNDED = "refunded"
    CANCELED = "canceled"  # the order was cancelled unpaid: no attempt may start any more


S = PaymentStatus
ALLOWED_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.REQUIRES_PAYMENT_METHOD: frozenset({S.REQUIRES_ACTION, S.PROCESSING, S.SUCCEEDED, S.FAILED, S.CANCELED}),
    S.REQUIRES_ACTION: frozenset({S.PROCESSING, S.SUCCEEDED, S.FAILED, S.CANCELED}),
    S.PROCESSING: frozenset({S.SUCCEEDED, S.FAILED}),
    S.FAILED: frozenset({S.REQUIRES_PAYMENT_METHOD, S.CANCELED}),
    S.SUCCEEDED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
    S.CANCELED: frozenset(),
}
# Where an attempt is still open: a second "pay" must not start another.
OPEN_STATUSES = frozenset({S.REQUIRES_ACTION, S.PROCESSING})


def can_transition(current: str, new: str) -> bool:
    return PaymentStatus(new) in ALLOWED_TRANSITIONS[PaymentStatus(current)]


class PaymentAccount(db.Model):
    """An organisation at the payment provider: its customer and its default card."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    default_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    card_brand: Mapped[str] = mapped_column(String(20), default="")
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    card_exp_month: Mapped[int | None] = mapped_column()
    card_exp_year: Mapped[int | None] = mapped_column()
    # Saved through a SetupIntent the cardholder confirmed in the browser (3-D Secure when the
    # bank asked): the first payment soon after is made off-session on that authentication.
    card_set_up_at: Mapped[datetime | None] = mapped_column()
    # The bank declined this card at its last payment: it is not shown as the card on file.
    card_declined_at: Mapped[datetime | None] = mapped_column()
    card_decline_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now(), onupdate=current_now)

    organisation = relationship("Organisation")

    @property
    def has_card(self) -> bool:
        return bool(self.default_payment_method_id)

    @property
    def card_declined(self) -> bool:
        """The saved card was declined at its last payment: offer another card first."""
        return self.has_card and self.card_declined_at is not None


class Payment(db.Model):
    """The card payment of one order, or of one invoice charged off-session (renewals,
    prorations: ``invoice_id``). Each attempt has its own PaymentIntent; only the current one is
    kept here (a new attempt starts only after the previous one failed)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), unique=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), unique=True)
    provider_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column()  # minor units
    amount_refunded: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(30), default=PaymentStatus.REQUIRES_PAYMENT_METHOD.value, index=True)
    failure_message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now())
    succeeded_at: Mapped[datetime | None] = mapped_column()

    # By name: payments sits beside orders and billing and does not import them.
    order = relationship("Order")
    invoice = relationship("Invoice")


class ProcessedWebhookEvent(db.Model):
    """A provider event already handled: stored in the same transaction as its effect."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column()

"""Orders and order lines. Prices on them are the ones actually charged, frozen at placing."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.billing.models import PaymentMethodName
from app.core.clock import current_now
from app.extensions import db


class OrderStatus(str, enum.Enum):
    PLACED = "placed"
    PROVISIONING = "provisioning"
    COMPLETED = "completed"
    PARTIALLY_FAILED = "partially_failed"
    FAILED = "failed"
    CANCELED = "canceled"  # a card order never paid, cancelled after UNPAID_ORDER_CANCEL_AFTER


class OrderPaymentStatus(str, enum.Enum):
    """Whether the order is paid for. Provisioning starts once it is ``paid`` or ``invoiced``."""

    UNPAID = "unpaid"  # card: placed, no payment yet (or 3-D Secure still to complete)
    FAILED = "failed"  # card: the last attempt was declined; payable again
    PAID = "paid"  # card: the payment succeeded
    INVOICED = "invoiced"  # on account: an open invoice, payable by its due date
    REFUNDED = "refunded"
    CANCELED = "canceled"  # the order was cancelled before it was paid: nothing was charged


AWAITING_PAYMENT = frozenset({OrderPaymentStatus.UNPAID.value, OrderPaymentStatus.FAILED.value})
AWAITING_PAYMENT_STATUS = "awaiting_payment"
STATUS_LABELS = {AWAITING_PAYMENT_STATUS: "Awaiting payment", OrderStatus.CANCELED.value: "Cancelled"}


class OrderLineKind(str, enum.Enum):
    PURCHASE = "purchase"  # creates a subscription
    CHANGE = "change"  # changes resource quantities of an existing subscription


class Order(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # ORD-2026-000123
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # who pays
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    marketplace_id: Mapped[int] = mapped_column(ForeignKey("marketplace.id"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PLACED.value, index=True)
    subtotal: Mapped[int] = mapped_column(default=0)  # minor units
    tax: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    reverse_charge: Mapped[bool] = mapped_column(default=False)
    payment_method: Mapped[str] = mapped_column(String(20), default=PaymentMethodName.ON_ACCOUNT.value)
    payment_status: Mapped[str] = mapped_column(String(20), default=OrderPaymentStatus.UNPAID.value,
                                                server_default=OrderPaymentStatus.UNPAID.value, index=True)
    paid_at: Mapped[datetime | None] = mapped_column()
    canceled_at: Mapped[datetime | None] = mapped_column()
    # The token the checkout form carried: a second submit of the same form finds this order.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    quote_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # [{"what": "marketplace"|"product:<slug>", "version": "...", "accepted_at": iso}]
    terms_acceptance: Mapped[list] = mapped_column(JSON, default=list)
    # Indexed: staff's list of every order is newest first (a page without sorting the table).
    created_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now(), index=True)

    buyer = relationship("Organisation")
    placed_by = relationship("User")
    marketplace = relationship("Marketplace")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.position")

    @property
    def awaits_payment(self) -> bool:
        """A card order not paid yet: the buyer may (again) pay it."""
        return self.payment_status in AWAITING_PAYMENT

    @property
    def display_status(self) -> str:
        """The one status every page, panel and mail shows for the order: "awaiting_payment"
        while a card order waits for its payment (never "placed"), else its own status."""
        if self.awaits_payment and self.status == OrderStatus.PLACED.value:
            return AWAITING_PAYMENT_STATUS
        return self.status

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.display_status, self.display_status.replace("_", " ").capitalize())


class OrderLine(db.Model):
    __table_args__ = (UniqueConstraint("order_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20), default=OrderLineKind.PURCHASE.value)
    plan_term_id: Mapped[int] = mapped_column(ForeignKey("plan_term.id"))
    # Whose subscription it is: the buyer itself or one of its customers.
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The subscription the line created (purchase) or changes (change).
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id"), index=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    quantities: Mapped[dict] = mapped_column(JSON, default=dict)  # {resource code: quantity}
    # A change line: the quantities before it ({resource code: quantity}); a change that finally
    # fails to provision gives back what it added (``app.plans.fulfillment``).
    previous_quantities: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)  # ordering-parameter values
    postponed_billing: Mapped[bool] = mapped_column(default=False)
    subtotal: Mapped[int] = mapped_column(default=0)
    # For the sales and margin reports (app.orders.reports), frozen at placing like the items:
    # the line at the distributor's reseller cost, and at the end customer's price (a
    # reseller's own use: its cost). None on lines placed before they were recorded.
    cost_subtotal: Mapped[int | None] = mapped_column()
    resale_subtotal: Mapped[int | None] = mapped_column()
    # For a line that creates a new customer: its administrator, invited by provisioning.
    admin_email: Mapped[str] = mapped_column(String(254), default="", server_default="")

    order: Mapped[Order] = relationship(back_populates="lines")
    plan_term = relationship("PlanTerm")
    beneficiary = relationship("Organisation")
    subscription = relationship("Subscription")
    items: Mapped[list[OrderLineItem]] = relationship(
        back_populates="line", order_by="OrderLineItem.position", cascade="all, delete-orphan"
    )


class OrderLineItem(db.Model):
    """One priced item of a line, frozen as charged: the quote item the buyer confirmed."""

    __table_args__ = (UniqueConstraint("order_line_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    position: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(String(300))
    resource_code: Mapped[str] = mapped_column(String(80), default="")  # "" for the plan term itself
    unit_price: Mapped[int] = mapped_column()  # minor units
    quantity: Mapped[int] = mapped_column()
    # "3/31" for a prorated item; "" for a whole period or a one-time charge.
    period_fraction: Mapped[str] = mapped_column(String(30), default="")
    one_time: Mapped[bool] = mapped_column(default=False)
    billed_later: Mapped[bool] = mapped_column(default=False)  # postponed billing: not charged now
    subtotal: Mapped[int] = mapped_column()

    line: Mapped[OrderLine] = relationship(back_populates="items")

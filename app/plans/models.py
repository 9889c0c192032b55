"""Subscriptions: what a buyer owns after an order, with its current resource quantities."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, event, false, func
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.core.clock import current_now
from app.extensions import db
from app.plans.states import SubscriptionStatus


class Subscription(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # The organisation that uses it (a customer, or the reseller itself) and the one that pays.
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    plan_term_id: Mapped[int] = mapped_column(ForeignKey("plan_term.id"))
    marketplace_id: Mapped[int] = mapped_column(ForeignKey("marketplace.id"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default=SubscriptionStatus.PENDING.value, index=True)
    vendor_reference: Mapped[str] = mapped_column(String(120), default="")
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    postponed_billing: Mapped[bool] = mapped_column(default=False)
    current_period_start: Mapped[datetime | None] = mapped_column()
    current_period_end: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now())
    # Any change of the row or of its quantities (see ``_touch_subscriptions``): the API's
    # ``updated_since`` filter, for integrations that sync what changed.
    updated_at: Mapped[datetime | None] = mapped_column(default=current_now, onupdate=current_now, index=True)
    activated_at: Mapped[datetime | None] = mapped_column()
    canceled_at: Mapped[datetime | None] = mapped_column()
    # Lifecycle (app.plans.lifecycle). Periods are anniversaries of ``period_anchor``; the term
    # (plan_term.period_months) ends at ``term_end`` and its prices are locked until then.
    period_anchor: Mapped[datetime | None] = mapped_column()
    term_end: Mapped[datetime | None] = mapped_column()
    locked_prices: Mapped[dict | None] = mapped_column(JSON)  # TermPrices.to_json()
    # The margin per billing period at the current quantities, and per month (rounded half up),
    # kept from ``locked_prices`` at every flush by ``app.plans.margins.keep_margins``: a table
    # sorts and shows them without reading the JSON. None while nothing is locked.
    period_margin: Mapped[int | None] = mapped_column()
    monthly_margin: Mapped[int | None] = mapped_column()
    trial_ends_at: Mapped[datetime | None] = mapped_column()  # end of a free first month
    # Cancelled to end at the period's end: kept while suspended, so paying restores "canceled".
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, server_default=false())
    expired_at: Mapped[datetime | None] = mapped_column()
    suspended_at: Mapped[datetime | None] = mapped_column()
    # Dunning of a failed renewal charge (app.plans.dunning).
    charge_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    charge_failed_since: Mapped[datetime | None] = mapped_column()
    next_charge_attempt_at: Mapped[datetime | None] = mapped_column(index=True)

    owner = relationship("Organisation", foreign_keys=[owner_id])
    payer = relationship("Organisation", foreign_keys=[payer_id])
    plan = relationship("Plan")
    plan_term = relationship("PlanTerm")
    marketplace = relationship("Marketplace")
    resources: Mapped[list[SubscriptionResource]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan"
    )

    def quantity_of(self, resource_id: int) -> int:
        return next((r.quantity for r in self.resources if r.resource_id == resource_id), 0)


# The reseller home's margin sort both ways, rows without a margin last either way (SQLite sorts
# NULL first, so last descending: its index, made by migration 0023, has no NULLS LAST).
Index("ix_subscription_margin_ascending", Subscription.monthly_margin, Subscription.id)
Index("ix_subscription_margin_descending", Subscription.monthly_margin.desc().nulls_last(), Subscription.id.desc())


class SubscriptionResource(db.Model):
    __table_args__ = (UniqueConstraint("subscription_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"))
    quantity: Mapped[int] = mapped_column(default=0)

    subscription: Mapped[Subscription] = relationship(back_populates="resources")
    resource = relationship("Resource")


class SeatAssignment(db.Model):
    """One seat of an organisation subscription given to a user of the subscription's owner
    (an invited user is a disabled ``User`` until the invitation is accepted). A single-user
    subscription holds one: the user it was activated for. ``app.plans.seats`` keeps the count
    within the seats."""

    __table_args__ = (UniqueConstraint("subscription_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column()
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: at activation

    subscription: Mapped[Subscription] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    assigned_by = relationship("User", foreign_keys=[assigned_by_id])


class ScheduledChangeStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    APPLIED = "applied"
    DROPPED = "dropped"


class ScheduledChange(db.Model):
    """A decrease waiting for the next period; at most one is ``scheduled`` per subscription.
    A later increase or a cancellation drops it; the renewal applies it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    quantities: Mapped[dict] = mapped_column(JSON, default=dict)  # {str(resource id): quantity}
    effective_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default=ScheduledChangeStatus.SCHEDULED.value, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()  # applied or dropped
    drop_reason: Mapped[str] = mapped_column(String(40), default="")

    subscription: Mapped[Subscription] = relationship()
    created_by = relationship("User")

    @property
    def targets(self) -> dict[int, int]:
        return {int(resource_id): quantity for resource_id, quantity in self.quantities.items()}


class QuantityRecord(db.Model):
    """From ``recorded_at`` on, the subscription held ``quantity`` of the resource (postpaid
    peaks, window refunds)."""

    __table_args__ = (Index("ix_quantity_record_lookup", "subscription_id", "resource_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"))
    quantity: Mapped[int] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column()


class BillingPeriodStatus(str, enum.Enum):
    TO_INVOICE = "to_invoice"  # lines computed, the invoice is still to be made
    INVOICED = "invoiced"
    NOTHING_DUE = "nothing_due"  # a free first month


class BillingKind(str, enum.Enum):
    ADVANCE = "advance"  # prepaid: the period billed at its start
    ARREARS = "arrears"  # postpaid: the period billed at its end, on its peak
    FREE = "free"


class BillingPeriod(db.Model):
    """What was billed for one service period of a subscription. Unique per subscription and
    period start: the idempotency key of renewals (a second run finds the row)."""

    __table_args__ = (UniqueConstraint("subscription_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    period_start: Mapped[datetime] = mapped_column()
    period_end: Mapped[datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    customer_amount: Mapped[int] = mapped_column(default=0)  # what the customer pays its reseller
    reseller_amount: Mapped[int] = mapped_column(default=0)  # what the reseller pays the distributor
    lines: Mapped[list] = mapped_column(JSON, default=list)  # RenewalLine.to_json() each
    created_at: Mapped[datetime] = mapped_column()
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)  # once invoiced

    subscription: Mapped[Subscription] = relationship()


@event.listens_for(Session, "before_flush")
def _touch_subscriptions(session, flush_context, instances) -> None:
    """A subscription whose quantities or scheduled change moved counts as updated."""
    now = None
    for row in (*session.new, *session.dirty):
        if isinstance(row, (SubscriptionResource, ScheduledChange)):
            subscription = row.subscription if row.subscription_id is None else session.get(Subscription, row.subscription_id)
            if subscription is not None:
                now = now or current_now()
                subscription.updated_at = now

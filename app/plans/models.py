"""Subscriptions: what a buyer owns after an order, with its current resource quantities."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    activated_at: Mapped[datetime | None] = mapped_column()
    canceled_at: Mapped[datetime | None] = mapped_column()

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


class SubscriptionResource(db.Model):
    __table_args__ = (UniqueConstraint("subscription_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"))
    quantity: Mapped[int] = mapped_column(default=0)

    subscription: Mapped[Subscription] = relationship(back_populates="resources")
    resource = relationship("Resource")

"""The signed-in user's cart. (An anonymous visitor's cart lives in the session: see services.)"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import current_now
from app.extensions import db


class Cart(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    # A cart is filled in one marketplace: an order is in one currency.
    marketplace_id: Mapped[int] = mapped_column(ForeignKey("marketplace.id"))
    updated_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now(), onupdate=current_now)

    marketplace = relationship("Marketplace")
    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", order_by="CartLine.id", cascade="all, delete-orphan"
    )


class CartLine(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id"), index=True)
    plan_term_id: Mapped[int] = mapped_column(ForeignKey("plan_term.id"))
    quantities: Mapped[dict] = mapped_column(JSON, default=dict)  # {resource code: total quantity}
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)  # ordering-parameter values as typed
    # {"kind": "self" | "customer" | "new_customer", "organisation_id", "name", "admin_email"}
    beneficiary: Mapped[dict] = mapped_column(JSON, default=dict)
    postponed_billing: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now())

    cart: Mapped[Cart] = relationship(back_populates="lines")
    plan_term = relationship("PlanTerm")

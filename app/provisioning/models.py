"""Fulfillment requests (the app's own truth about each provisioning job) and the demo vendor's
log of the calls it received."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class RequestType(str, enum.Enum):
    PURCHASE = "purchase"
    CHANGE = "change"
    CANCEL = "cancel"
    RESUME = "resume"
    SUSPEND = "suspend"


class RequestState(str, enum.Enum):
    """pending -> processing -> (inquiring -> pending ...) -> completed | failed.

    ``processing`` is held under a lease (``lease_expires_at``) by one claim; a lease that ran
    out means the claimant died, and the request may be claimed again.
    """

    PENDING = "pending"
    PROCESSING = "processing"
    INQUIRING = "inquiring"
    COMPLETED = "completed"
    FAILED = "failed"


FINISHED_STATES = frozenset({RequestState.COMPLETED.value, RequestState.FAILED.value})
# ``claimed_by`` of a request whose vendor answered "accepted" and will call back.
AWAITING_VENDOR = "vendor"


class FulfillmentRequest(db.Model):
    __table_args__ = (UniqueConstraint("order_line_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=RequestState.PENDING.value, index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    # Set for purchase and change lines; lifecycle requests (cancel, resume, suspend) have none.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    # Sent to the connector on every attempt: the vendor uses it to recognise a repeated call.
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)  # connector calls started
    last_error: Mapped[str] = mapped_column(Text, default="")
    # While inquiring: {"message", "parameter", "label", "kind"} from the vendor.
    question: Mapped[dict | None] = mapped_column(JSON)
    vendor_reference: Mapped[str] = mapped_column(String(120), default="")
    # The RQ job meant to run it next; the sweeper checks whether that job still waits.
    job_id: Mapped[str] = mapped_column(String(64), default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str] = mapped_column(String(120), default="")  # host:pid of the work-horse
    processing_started_at: Mapped[datetime | None] = mapped_column()
    lease_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    # Staff who completed it by hand, and why.
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(index=True)  # staff's lists of requests: latest first
    completed_at: Mapped[datetime | None] = mapped_column()
    failed_at: Mapped[datetime | None] = mapped_column()

    subscription = relationship("Subscription")
    order = relationship("Order")
    order_line = relationship("OrderLine")
    resolved_by = relationship("User")

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def awaits_vendor(self) -> bool:
        return self.state == RequestState.PROCESSING.value and self.claimed_by == AWAITING_VENDOR

    def __repr__(self) -> str:
        return f"<FulfillmentRequest {self.id} {self.type} {self.state}>"


class DemoVendorCall(db.Model):
    """Every call the demo vendor received, written by the vendor in its own transactions so
    that duplicates can be counted across processes. ``took_effect`` marks the one call per
    idempotency key that provisioned something; repeats replay its result."""

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), index=True)
    request_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20), default="received")  # received|done|replayed|error|inquire
    took_effect: Mapped[bool] = mapped_column(default=False)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()

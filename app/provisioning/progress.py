"""What the buyer sees of an order's provisioning: one entry per line and a summary."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.orders.models import OrderLine
from app.provisioning.models import FulfillmentRequest, RequestState

S = RequestState
LABELS = {
    S.PENDING.value: ("Queued", "secondary"),
    S.PROCESSING.value: ("Being set up", "info"),
    S.INQUIRING.value: ("Needs your answer", "warning"),
    S.COMPLETED.value: ("Ready", "success"),
    S.FAILED.value: ("Failed", "danger"),
}


@dataclass(frozen=True)
class LineProgress:
    request: FulfillmentRequest
    description: str

    @property
    def state(self) -> str:
        return self.request.state

    @property
    def label(self) -> str:
        if self.request.awaits_vendor:
            return "Being set up by the vendor"
        if self.state == S.PENDING.value and self.request.attempts:
            return "Retrying shortly"
        return LABELS[self.state][0]

    @property
    def badge(self) -> str:
        return LABELS[self.state][1]


@dataclass(frozen=True)
class OrderProgress:
    lines: list[LineProgress]

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def finished(self) -> int:
        return sum(1 for line in self.lines if line.request.is_finished)

    @property
    def waiting_for_buyer(self) -> bool:
        return any(line.state == S.INQUIRING.value for line in self.lines)

    @property
    def polling(self) -> bool:
        """Refresh by itself while a line runs; not while the buyer must answer (the refresh
        would wipe what they type) and not once every line is finished."""
        return self.finished < self.total and not self.waiting_for_buyer

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100

    @property
    def summary(self) -> str:
        failed = sum(1 for line in self.lines if line.state == S.FAILED.value)
        if self.waiting_for_buyer:
            return "The vendor needs an answer from you before provisioning can continue."
        if self.finished < self.total:
            return f"Provisioning: {self.finished} of {self.total} ready. This page updates by itself."
        if failed:
            return f"{self.total - failed} of {self.total} provisioned; {failed} could not be set up yet."
        return "Everything in this order is provisioned and ready to use."


def order_progress(order) -> OrderProgress:
    rows = db.session.execute(
        select(FulfillmentRequest, OrderLine.description, OrderLine.position)
        .join(OrderLine, OrderLine.id == FulfillmentRequest.order_line_id)
        .where(FulfillmentRequest.order_id == order.id).order_by(OrderLine.position, FulfillmentRequest.id)
    ).all()
    return OrderProgress([LineProgress(request, description or f"Line {position}") for request, description, position in rows])

"""The one function through which placed orders reach provisioning.

Contract (used by the checkout): called inside the transaction that places the order, after the
order's subscriptions were created as ``pending`` and each purchase/change line's
``subscription_id`` was set, before the commit. It must not commit; whatever it enqueues on
Redis is enqueued only after that transaction commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.core.clock import current_now
from app.extensions import db
from app.orders.models import OrderLineKind, OrderStatus
from app.provisioning.dispatch import schedule_run
from app.provisioning.models import FulfillmentRequest, RequestType

PROVISIONED_LINE_KINDS = frozenset({OrderLineKind.PURCHASE.value, OrderLineKind.CHANGE.value})


def hand_off(order, now: datetime | None = None) -> list[FulfillmentRequest]:
    """Creates one pending fulfillment request per purchase/change line of ``order`` (once: a
    second call finds them) and marks each to be enqueued after the commit. The order's status
    becomes ``provisioning``. Does not commit."""
    now = now or current_now()
    db.session.flush()  # line and subscription ids
    existing = {(request.order_line_id, request.type) for request in
                db.session.scalars(select(FulfillmentRequest).where(FulfillmentRequest.order_id == order.id))}
    created = []
    for line in order.lines:
        subscription_id = line.subscription_id or (line.subscription.id if line.subscription is not None else None)
        if line.kind not in PROVISIONED_LINE_KINDS or subscription_id is None or (line.id, line.kind) in existing:
            continue
        request = FulfillmentRequest(
            type=line.kind, subscription_id=subscription_id, order_id=order.id, order_line_id=line.id,
            idempotency_key=f"{order.number}-{line.position}-{line.kind}", created_at=now, updated_at=now,
        )
        db.session.add(request)
        created.append(request)
    db.session.flush()
    for request in created:
        schedule_run(request, now)
    if created or existing:
        order.status = OrderStatus.PROVISIONING.value
    return created


def vendor_request(subscription, kind: str, now: datetime) -> FulfillmentRequest:
    """The lifecycle's way to tell the vendor (``app.plans.hooks``): ``request_lifecycle`` by
    the request type's name."""
    return request_lifecycle(subscription, RequestType(kind), now)


def request_lifecycle(subscription, request_type: RequestType, now: datetime | None = None) -> FulfillmentRequest:
    """A fulfillment request without an order (cancel, resume, suspend) telling the vendor
    about a subscription change; enqueued after the caller's commit."""
    import uuid

    now = now or current_now()
    request = FulfillmentRequest(type=request_type.value, subscription_id=subscription.id,
                                 idempotency_key=f"sub{subscription.id}-{request_type.value}-{uuid.uuid4().hex[:12]}",
                                 created_at=now, updated_at=now)
    db.session.add(request)
    db.session.flush()
    schedule_run(request, now)
    return request

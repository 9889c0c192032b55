"""Snapshots of resources as events carry them: the API's shape (ids, statuses, integer minor
units with a currency, RFC 3339 UTC timestamps). Read attributes only, import no area's models,
so every area can emit events without importing the areas above it."""
from __future__ import annotations

from datetime import datetime, timezone


def timestamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC (the app stores naive UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def subscription_shape(subscription) -> dict:
    return {
        "object": "subscription", "id": subscription.id, "status": subscription.status,
        "owner_id": subscription.owner_id, "payer_id": subscription.payer_id,
        "plan": {"id": subscription.plan_id, "name": subscription.plan.name if subscription.plan else None},
        "term": subscription.plan_term.code if subscription.plan_term else None,
        "currency": subscription.currency,
        "quantities": {row.resource.code: row.quantity for row in sorted(subscription.resources, key=lambda r: r.resource_id)},
        "cancel_at_period_end": bool(subscription.cancel_at_period_end),
        "current_period_start": timestamp(subscription.current_period_start),
        "current_period_end": timestamp(subscription.current_period_end),
        "created_at": timestamp(subscription.created_at),
    }


def order_shape(order) -> dict:
    return {
        "object": "order", "id": order.id, "number": order.number, "status": order.status,
        "buyer_id": order.buyer_id, "currency": order.currency, "subtotal": order.subtotal, "tax": order.tax,
        "total": order.total, "payment_method": order.payment_method, "payment_status": order.payment_status,
        "lines": [{"position": line.position, "kind": line.kind, "beneficiary_id": line.beneficiary_id,
                   "subscription_id": line.subscription_id, "description": line.description,
                   "quantities": dict(line.quantities or {}), "subtotal": line.subtotal} for line in order.lines],
        "created_at": timestamp(order.created_at),
    }


def invoice_shape(invoice) -> dict:
    return {
        "object": "invoice", "id": invoice.id, "number": invoice.number, "kind": invoice.kind, "status": invoice.status,
        "organisation_id": invoice.organisation_id, "order_id": invoice.order_id,
        "subscription_id": invoice.subscription_id, "currency": invoice.currency, "subtotal": invoice.subtotal,
        "tax": invoice.tax, "total": invoice.total, "payment_method": invoice.payment_method,
        "lines": [{"position": line.position, "description": line.description, "unit_price": line.unit_price,
                   "quantity": line.quantity, "period_fraction": line.period_fraction, "amount": line.amount}
                  for line in invoice.lines],
        "issued_at": timestamp(invoice.issued_at), "due_at": timestamp(invoice.due_at), "paid_at": timestamp(invoice.paid_at),
    }


def fulfillment_shape(request) -> dict:
    return {
        "object": "fulfillment_request", "id": request.id, "type": request.type, "state": request.state,
        "subscription_id": request.subscription_id, "order_id": request.order_id,
        "question": dict(request.question) if request.question else None,
    }

"""/api/v1/subscriptions: list (filters status, plan, customer, updated_since), get, change
quantities (a preview, then a confirm carrying the preview's fingerprint), cancel, resume. The
lifecycle services of the panels (``app.orders.change_lines``, ``app.plans.actions``) do the
work; ``ETag`` / ``If-Match`` guard the writes against a subscription changed meanwhile."""
from __future__ import annotations

import hashlib
import json

import marshmallow as ma
from flask import request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.access import acting_organisation, acting_scope
from app.api.common import ListArgs, UtcDateTime, list_schema, page, utc
from app.api.errors import abort_api
from app.api.framework import IDEMPOTENCY_PARAMETER, acting_user, api_blueprint
from app.api.quotes import QuoteSchema, quote_dict
from app.catalog.models import Plan
from app.core.clock import current_now
from app.extensions import db
from app.orders.change_lines import ChangeRequest, place_change_order, preview_change
from app.plans.actions import cancel_subscription, resume_subscription
from app.plans.models import Subscription, SubscriptionResource
from app.plans.queries import display_status, scheduled_changes_for
from app.plans.states import SubscriptionStatus

bp = api_blueprint("subscriptions", "/subscriptions", "Subscriptions: list, read, change quantities, cancel, resume.")

IF_MATCH_PARAMETER = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
                      "description": "The subscription's ETag as you read it: 412 if it changed since."}


class QuantitySchema(ma.Schema):
    resource_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True)


class ScheduledChangeSchema(ma.Schema):
    effective_at = UtcDateTime(required=True)
    quantities = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True,
                                metadata={"description": "Resource code -> the quantity from effective_at."})


class SubscriptionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True, metadata={"description": "pending, active, canceled, expired, failed, suspended"})
    display_status = ma.fields.String(required=True, metadata={"description": "The label the panels show."})
    customer_id = ma.fields.Integer(required=True, metadata={"description": "The organisation that uses it."})
    payer_id = ma.fields.Integer(required=True)
    plan_id = ma.fields.Integer(required=True)
    plan_name = ma.fields.String(required=True)
    product_name = ma.fields.String(required=True)
    plan_term_id = ma.fields.Integer(required=True)
    term = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    quantities = ma.fields.List(ma.fields.Nested(QuantitySchema), required=True)
    scheduled_change = ma.fields.Nested(ScheduledChangeSchema, allow_none=True, required=True)
    cancel_at_period_end = ma.fields.Boolean(required=True)
    current_period_start = UtcDateTime(allow_none=True, required=True)
    current_period_end = UtcDateTime(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class SubscriptionListArgs(ListArgs):
    status = ma.fields.String(validate=ma.validate.OneOf([status.value for status in SubscriptionStatus]))
    plan_id = ma.fields.Integer(validate=ma.validate.Range(1, 2**31 - 1))
    customer_id = ma.fields.Integer(validate=ma.validate.Range(1, 2**31 - 1))
    updated_since = UtcDateTime(metadata={"description": "Only those changed at or after this time (RFC 3339)."})


class ChangeArgs(ma.Schema):
    quantities = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(1, 80)),
                                values=ma.fields.Integer(validate=ma.validate.Range(0, 9_999_999)), required=True,
                                metadata={"description": "Resource code -> the new total quantity; resources left "
                                                         "out keep theirs."})


class ConfirmChangeArgs(ChangeArgs):
    fingerprint = ma.fields.String(required=True, validate=ma.validate.Length(1, 128),
                                   metadata={"description": "The preview's fingerprint: the amounts you accept."})


class ChangePreviewSchema(ma.Schema):
    subscription_id = ma.fields.Integer(required=True)
    fingerprint = ma.fields.String(required=True)
    quote = ma.fields.Nested(QuoteSchema, required=True, metadata={"description": "What the payer is charged now."})
    effective_at = UtcDateTime(allow_none=True, required=True, metadata={"description": "When decreases apply."})
    policy = ma.fields.List(ma.fields.String(), required=True)


class ChangeResultSchema(ma.Schema):
    subscription = ma.fields.Nested(SubscriptionSchema, required=True)
    order_number = ma.fields.String(allow_none=True, required=True,
                                    metadata={"description": "The change order; null for a decrease that waits."})


SubscriptionList = list_schema(SubscriptionSchema, "SubscriptionList")


def _loaded():
    return select(Subscription).options(joinedload(Subscription.plan).joinedload(Plan.product),
                                        joinedload(Subscription.plan_term),
                                        selectinload(Subscription.resources).joinedload(SubscriptionResource.resource))


def _present(subscription: Subscription, scheduled) -> dict:
    codes = {row.resource_id: row.resource.code for row in subscription.resources}
    return {
        "id": subscription.id, "status": subscription.status,
        "display_status": display_status(subscription, scheduled).label, "customer_id": subscription.owner_id,
        "payer_id": subscription.payer_id, "plan_id": subscription.plan_id, "plan_name": subscription.plan.name,
        "product_name": subscription.plan.product.name, "plan_term_id": subscription.plan_term_id,
        "term": subscription.plan_term.code, "currency": subscription.currency,
        "quantities": [{"resource_id": row.resource_id, "code": row.resource.code, "name": row.resource.name,
                        "quantity": row.quantity} for row in sorted(subscription.resources, key=lambda r: r.resource_id)],
        "scheduled_change": None if scheduled is None else {
            "effective_at": scheduled.effective_at,
            "quantities": {codes.get(resource_id, str(resource_id)): quantity
                           for resource_id, quantity in sorted(scheduled.targets.items())}},
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "current_period_start": subscription.current_period_start, "current_period_end": subscription.current_period_end,
        "created_at": subscription.created_at, "updated_at": subscription.updated_at or subscription.created_at,
    }


def etag_of(presented: dict) -> str:
    content = json.dumps({name: utc(value) if hasattr(value, "isoformat") else value
                          for name, value in presented.items() if name != "display_status"}, sort_keys=True, default=str)
    return '"' + hashlib.sha256(content.encode()).hexdigest()[:32] + '"'


def _subscription(subscription_id: int) -> Subscription:
    subscription = acting_scope().one_or_none(_loaded().where(Subscription.id == subscription_id), Subscription.owner_id)
    if subscription is None:
        abort_api(404, "That subscription was not found.")
    return subscription


def _current(subscription_id: int) -> dict:
    subscription = _subscription(subscription_id)
    return _present(subscription, scheduled_changes_for([subscription.id]).get(subscription.id))


def _check_if_match(subscription_id: int) -> Subscription:
    """The subscription, when ``If-Match`` (if sent) names its current ETag; else 412."""
    subscription = _subscription(subscription_id)
    expected = request.headers.get("If-Match")
    if expected is not None:
        current = etag_of(_present(subscription, scheduled_changes_for([subscription.id]).get(subscription.id)))
        if expected.strip() not in (current, "*"):
            abort_api(412, "The subscription changed since you read it: read it again (its ETag) and retry.")
    return subscription


def _answer(subscription_id: int, status: int = 200, **extra):
    db.session.expire_all()
    presented = _current(subscription_id)
    body = {**extra, "subscription": presented} if extra else presented
    return body, status, {"ETag": etag_of(presented)}


@bp.route("", methods=["GET"])
@bp.arguments(SubscriptionListArgs, location="query")
@bp.response(200, SubscriptionList)
def list_subscriptions(args):
    """List subscriptions in scope: the organisation's own and, for a reseller, its customers'."""
    statement = acting_scope().filter(_loaded(), Subscription.owner_id)
    filters = {"status": Subscription.status, "plan_id": Subscription.plan_id, "customer_id": Subscription.owner_id}
    statement = statement.where(*(column == args[name] for name, column in filters.items() if name in args))
    if "updated_since" in args:
        statement = statement.where(Subscription.updated_at >= args["updated_since"])
    rows, has_more = page(statement, Subscription.id, args)
    scheduled = scheduled_changes_for(row.id for row in rows)
    return {"data": [_present(row, scheduled.get(row.id)) for row in rows], "has_more": has_more}


@bp.route("/<int:subscription_id>", methods=["GET"])
@bp.response(200, SubscriptionSchema, headers={"ETag": {"schema": {"type": "string"}}})
def get_subscription(subscription_id):
    """One subscription, with its ETag (send it as If-Match on a change, cancel or resume)."""
    presented = _current(subscription_id)
    return presented, 200, {"ETag": etag_of(presented)}


def _requested(subscription: Subscription, quantities: dict) -> dict[int, int]:
    by_code = {row.resource.code: row.resource_id for row in subscription.resources}
    unknown = sorted(set(quantities) - set(by_code))
    if unknown:
        abort_api(422, f"This subscription has no resource {', '.join(unknown)}.")
    requested = {row.resource_id: row.quantity for row in subscription.resources}
    requested.update({by_code[code]: quantity for code, quantity in quantities.items()})
    return requested


@bp.route("/<int:subscription_id>/changes/preview", methods=["POST"])
@bp.arguments(ChangeArgs)
@bp.response(200, ChangePreviewSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
def preview_subscription_change(args, subscription_id):
    """Preview a quantity change: what it costs now (prorated), when decreases apply, and the
    fingerprint to confirm it with. Changes nothing."""
    subscription = _subscription(subscription_id)
    preview = preview_change(subscription, _requested(subscription, args["quantities"]), current_now(),
                             by_customer=acting_organisation().is_customer)
    effective = [line.effective_at for line in preview.change.lines if line.new != line.applies_now]
    return {"subscription_id": subscription.id, "fingerprint": preview.change.fingerprint,
            "quote": quote_dict(preview.order_quote), "effective_at": min(effective) if effective else None,
            "policy": list(preview.change.policy_text)}


@bp.route("/<int:subscription_id>/changes", methods=["POST"])
@bp.arguments(ConfirmChangeArgs)
@bp.response(201, ChangeResultSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER, IF_MATCH_PARAMETER])
def confirm_subscription_change(args, subscription_id):
    """Confirm a previewed change: 409 with the new quote when the amounts moved since."""
    subscription = _check_if_match(subscription_id)
    change = ChangeRequest(subscription.id, _requested(subscription, args["quantities"]), args["fingerprint"],
                           _order_key(), placed_by=acting_user(), by_customer=acting_organisation().is_customer)
    placed = place_change_order(change, current_now())
    return _answer(subscription.id, 201, order_number=placed.order.number if placed.order is not None else None)


def _order_key() -> str:
    """The order's own idempotency key: from the request's Idempotency-Key (per organisation),
    else a new one."""
    from app.api.orders import order_idempotency_key

    return order_idempotency_key()


@bp.route("/<int:subscription_id>/cancel", methods=["POST"])
@bp.response(200, SubscriptionSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER, IF_MATCH_PARAMETER])
def cancel(subscription_id):
    """Cancel at the period's end (or at once with a refund, as the plan's policy says)."""
    subscription = _check_if_match(subscription_id)
    cancel_subscription(subscription.id, current_now(), actor=acting_user())
    db.session.commit()
    return _answer(subscription.id)


@bp.route("/<int:subscription_id>/resume", methods=["POST"])
@bp.response(200, SubscriptionSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER, IF_MATCH_PARAMETER])
def resume(subscription_id):
    """Withdraw a cancellation before the subscription expires: it renews as normal."""
    subscription = _check_if_match(subscription_id)
    resume_subscription(subscription.id, current_now(), actor=acting_user())
    db.session.commit()
    return _answer(subscription.id)

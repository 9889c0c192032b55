"""/api/v1/fulfillment-requests: a fulfillment request of one of the organisation's
subscriptions (its state, and the vendor's question while it is ``inquiring``), and the
answer to that question (``app.provisioning.inquiries.answer_question``, as the order page)."""
from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select

from app.accounts.access import TenantScope, acting_organisation
from app.api.common import UtcDateTime
from app.api.errors import abort_api
from app.api.framework import IDEMPOTENCY_PARAMETER, api_blueprint
from app.core.clock import current_now
from app.extensions import db
from app.orders.models import Order
from app.provisioning.inquiries import answer_question
from app.provisioning.models import FulfillmentRequest

bp = api_blueprint("fulfillment", "/fulfillment-requests",
                   "Fulfillment requests: the vendor's progress on an order's subscription, and its questions.")


class QuestionSchema(ma.Schema):
    parameter = ma.fields.String(required=True, metadata={"description": "The ordering parameter asked about."})
    label = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "text, email, domain, choice..."})
    message = ma.fields.String(required=True, metadata={"description": "What the vendor says."})


class FulfillmentRequestSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    type = ma.fields.String(required=True, metadata={"description": "activate, change, cancel, resume..."})
    state = ma.fields.String(required=True, metadata={"description": "pending, processing, inquiring, completed, failed"})
    subscription_id = ma.fields.Integer(required=True)
    order_number = ma.fields.String(allow_none=True, required=True)
    question = ma.fields.Nested(QuestionSchema, allow_none=True, required=True,
                                metadata={"description": "While inquiring: what the vendor asks."})
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    completed_at = UtcDateTime(allow_none=True, required=True)
    failed_at = UtcDateTime(allow_none=True, required=True)


class AnswerArgs(ma.Schema):
    answer = ma.fields.String(required=True, validate=ma.validate.Length(1, 500))


def _request(request_id: int) -> FulfillmentRequest:
    """A request of an order the organisation placed (the order page's own rule)."""
    statement = (select(FulfillmentRequest).join(Order, Order.id == FulfillmentRequest.order_id)
                 .where(FulfillmentRequest.id == request_id))
    found = TenantScope(acting_organisation(), customers=False).one_or_none(statement, Order.buyer_id)
    if found is None:
        abort_api(404, "That fulfillment request was not found.")
    return found


def present_request(request: FulfillmentRequest) -> dict:
    question = request.question or None
    return {
        "id": request.id, "type": request.type, "state": request.state, "subscription_id": request.subscription_id,
        "order_number": request.order.number if request.order is not None else None,
        "question": {"parameter": str(question.get("parameter") or ""), "label": str(question.get("label") or ""),
                     "kind": str(question.get("kind") or "text"), "message": str(question.get("message") or "")}
        if question else None,
        "created_at": request.created_at, "updated_at": request.updated_at, "completed_at": request.completed_at,
        "failed_at": request.failed_at,
    }


@bp.route("/<int:request_id>", methods=["GET"])
@bp.response(200, FulfillmentRequestSchema)
def get_fulfillment_request(request_id):
    """One fulfillment request of an order you placed."""
    return present_request(_request(request_id))


@bp.route("/<int:request_id>/answer", methods=["POST"])
@bp.arguments(AnswerArgs)
@bp.response(200, FulfillmentRequestSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
def answer(args, request_id):
    """Answer the vendor's question of an inquiring request: provisioning goes on."""
    request = _request(request_id)
    answer_question(request, args["answer"], current_now())
    db.session.commit()
    return present_request(db.session.get(FulfillmentRequest, request.id))

"""Vendors calling back about work they accepted (202): signature first, then the outcome."""
from __future__ import annotations

import json

from app.core.clock import current_now
from app.extensions import db
from app.provisioning.connectors.base import outcome_from_vendor_answer
from app.provisioning.models import FulfillmentRequest, RequestState
from app.provisioning.runner import record_outcome
from app.provisioning.signing import SignatureError, verify


class CallbackRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def handle_vendor_callback(request_id: int, body: bytes, signature: str | None, now_timestamp: int) -> str:
    """Verifies the call-back's signature with the product's secret (timestamp within 300 s),
    then applies the vendor's answer once. Returns the request's state; raises
    ``CallbackRejected`` (nothing changed) for an unknown request, a bad or stale signature,
    a body that is not a vendor answer, or a request that already failed."""
    request = db.session.get(FulfillmentRequest, request_id)
    if request is None:
        raise CallbackRejected(404, "No such request.")
    secret = (request.subscription.plan.product.connector_settings or {}).get("secret", "")
    try:
        verify(secret, signature, body, now_timestamp)
    except SignatureError as error:
        raise CallbackRejected(401, str(error)) from None
    try:
        answer = json.loads(body)
    except ValueError:
        raise CallbackRejected(400, "The body is not JSON.") from None
    outcome = outcome_from_vendor_answer(answer if isinstance(answer, dict) else {})
    if outcome.kind == "accepted":
        raise CallbackRejected(400, "A call-back must say done, needs_information or failed.")
    if request.state == RequestState.COMPLETED.value:
        return request.state  # a repeated call-back: already applied
    if not record_outcome(request_id, None, outcome, current_now()):
        db.session.rollback()
        raise CallbackRejected(409, f"The request is {db.session.get(FulfillmentRequest, request_id).state}.")
    return db.session.get(FulfillmentRequest, request_id).state

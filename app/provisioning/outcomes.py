"""What a connector's answer does to a fulfillment request, its subscription and its order.

Every function here changes rows in the caller's transaction and never commits. The caller
holds the request (a guarded UPDATE or a row lock) so an outcome is applied once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core.clock import current_now
from app.core.locks import locked_one
from app.extensions import db
from app.mail import notices
from app.orders.models import Order, OrderStatus
from app.plans.fulfillment import undo_failed_change
from app.plans.lifecycle import activate
from app.plans.models import Subscription
from app.plans.seats import record_activated_user
from app.plans.states import SubscriptionStatus, transition
from app.provisioning.connectors.base import Outcome
from app.provisioning.dispatch import schedule_run
from app.provisioning.models import AWAITING_VENDOR, FINISHED_STATES, FulfillmentRequest, RequestState, RequestType
from app.webhooks.events import emit
from app.webhooks.shapes import fulfillment_shape, order_shape

S = RequestState
# An order that finished provisioning announces how it ended (partly failed counts as failed).
ORDER_EVENTS = {OrderStatus.COMPLETED.value: "order.completed", OrderStatus.FAILED.value: "order.failed",
                OrderStatus.PARTIALLY_FAILED.value: "order.failed"}


def retry_delay(attempt: int, base_seconds: float, max_seconds: float) -> float:
    """Exponential backoff: ``base``, ``2 x base``, ``4 x base``... after attempts 1, 2, 3...,
    never more than ``max_seconds``."""
    return min(max_seconds, base_seconds * 2 ** max(0, attempt - 1))


def order_status_for(states: list[str]) -> OrderStatus:
    """An order's status from its requests' states: provisioning while any runs, then
    completed, failed, or partially_failed."""
    if any(state not in FINISHED_STATES for state in states):
        return OrderStatus.PROVISIONING
    if all(state == S.COMPLETED.value for state in states):
        return OrderStatus.COMPLETED
    if all(state == S.FAILED.value for state in states):
        return OrderStatus.FAILED
    return OrderStatus.PARTIALLY_FAILED


def order_states_query(order_id: int):
    return select(FulfillmentRequest.state).where(FulfillmentRequest.order_id == order_id)


def refresh_order_status(order) -> None:
    """Sets ``order.status`` from its requests (the caller holds the order row locked)."""
    db.session.flush()
    states = list(db.session.scalars(order_states_query(order.id)))
    if states:
        before, order.status = order.status, order_status_for(states).value
        if order.status != before and order.status in ORDER_EVENTS:
            db.session.flush()
            emit(ORDER_EVENTS[order.status], [order.buyer_id], order_shape(order), current_now())


def apply_outcome(request: FulfillmentRequest, outcome: Outcome, now: datetime) -> None:
    if outcome.kind == "done":
        complete(request, outcome.vendor_reference, now)
    elif outcome.kind == "accepted":
        _await_vendor(request, now)
    elif outcome.kind == "inquire":
        _inquire(request, outcome.question, now)
    else:
        _record_failure(request, outcome.message, outcome.permanent, now)
    if request.order is not None:
        refresh_order_status(request.order)


def _release(request: FulfillmentRequest, state: RequestState, now: datetime) -> None:
    request.state = state.value
    request.claim_token = None
    request.claimed_by = ""
    request.lease_expires_at = None
    request.updated_at = now


def subscription_query(subscription_id: int):
    """The subscription with what an outcome reads of it, in one query (to lock: ``of=Subscription``)."""
    return select(Subscription).where(Subscription.id == subscription_id).options(
        joinedload(Subscription.plan, innerjoin=True), joinedload(Subscription.plan_term, innerjoin=True),
        joinedload(Subscription.owner, innerjoin=True))


def _locked_subscription(request: FulfillmentRequest) -> Subscription:
    return locked_one(subscription_query(request.subscription_id), of=Subscription)


def lock_request(request: FulfillmentRequest) -> None:
    """Locks the request's order (when it has one), then the request: the order every writer
    of a request takes (then the subscription), so they never wait for each other in a cycle."""
    if request.order_id is not None:
        locked_one(select(Order.id).where(Order.id == request.order_id))
    locked_one(select(FulfillmentRequest).where(FulfillmentRequest.id == request.id))


def complete(request: FulfillmentRequest, vendor_reference: str, now: datetime) -> None:
    """The request is done: a purchased subscription becomes active (``lifecycle.activate``:
    its first period opens now) and its buyer is told (outbox). Other request types leave the
    subscription's status alone."""
    _release(request, S.COMPLETED, now)
    request.vendor_reference = vendor_reference[:120]
    request.completed_at = now
    request.question = None
    request.next_attempt_at = None
    subscription = _locked_subscription(request)
    if request.type != RequestType.PURCHASE.value:
        return
    if subscription.status == SubscriptionStatus.FAILED.value:  # completed by hand after giving up
        transition(subscription, SubscriptionStatus.PENDING)
    if subscription.status != SubscriptionStatus.PENDING.value:
        return
    subscription.vendor_reference = request.vendor_reference
    activate(subscription.id, now)  # the one rule for a first period, locked prices, quantities
    invited = notices.subscription_ready(request, subscription, buyer_contact(request, subscription), now)
    if subscription.plan.product.connector == "reseller_storefront":
        notices.storefront_ready(request, subscription, buyer_contact(request, subscription), now)
    if invited is not None:
        record_activated_user(subscription, invited, now)  # a single-user subscription's one seat


def fail(request: FulfillmentRequest, now: datetime) -> None:
    """Gives up: the request and a purchased subscription are failed; the buyer and the
    distributor's operations team are told (outbox)."""
    _release(request, S.FAILED, now)
    request.failed_at = now
    request.next_attempt_at = None
    subscription = _locked_subscription(request)
    if request.type == RequestType.PURCHASE.value and subscription.status == SubscriptionStatus.PENDING.value:
        transition(subscription, SubscriptionStatus.FAILED)
    if request.type == RequestType.CHANGE.value and request.order_line is not None:
        undo_failed_change(request.order_line, now)  # takes back the added units, cancels their charge
    notices.provisioning_failed(request, subscription, buyer_contact(request, subscription), now)


def _record_failure(request: FulfillmentRequest, message: str, permanent: bool, now: datetime) -> None:
    request.last_error = message
    config = current_app.config
    if permanent or request.attempts >= config["PROVISIONING_MAX_ATTEMPTS"]:
        fail(request, now)
        return
    _release(request, S.PENDING, now)
    delay = retry_delay(request.attempts, config["PROVISIONING_RETRY_BASE_SECONDS"], config["PROVISIONING_RETRY_MAX_SECONDS"])
    schedule_run(request, now, delay)


def _await_vendor(request: FulfillmentRequest, now: datetime) -> None:
    request.claim_token = None
    request.claimed_by = AWAITING_VENDOR
    request.lease_expires_at = now + timedelta(seconds=current_app.config["PROVISIONING_CALLBACK_TIMEOUT"])
    request.updated_at = now


def _inquire(request: FulfillmentRequest, question: dict, now: datetime) -> None:
    _release(request, S.INQUIRING, now)
    request.question = dict(question)
    request.next_attempt_at = None
    db.session.flush()
    subscription = request.subscription
    emit("fulfillment.inquiring", [request.order.buyer_id if request.order is not None else subscription.payer_id,
                                   subscription.owner_id], fulfillment_shape(request), now)


def buyer_contact(request: FulfillmentRequest, subscription: Subscription) -> str:
    """Who hears about a request: whoever placed the order, else the paying organisation's
    billing e-mail or first administrator."""
    order = request.order
    if order is not None and order.placed_by is not None:
        return order.placed_by.email
    organisation = order.buyer if order is not None else subscription.payer
    if organisation.billing_info is not None and organisation.billing_info.billing_email:
        return organisation.billing_info.billing_email
    admins = sorted((user for user in organisation.users if user.is_admin and user.is_enabled), key=lambda user: user.id)
    return admins[0].email if admins else ""

"""The distributor's back office for provisioning: what needs a person, and what they may do."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.activity import record_activity

from app.core.errors import Refusal, RefusalKind
from app.catalog.models import Plan
from app.extensions import db
from app.plans.models import Subscription
from app.plans.states import SubscriptionStatus, transition
from app.provisioning.dispatch import schedule_run
from app.provisioning.inquiries import answer_question
from app.provisioning.models import FulfillmentRequest, RequestState
from app.provisioning.outcomes import complete, lock_request, refresh_order_status

S = RequestState
R = FulfillmentRequest


class StaffActionRefused(Refusal, ValueError):
    """The action does not apply to the request as it is now; the message says why."""

    kind = RefusalKind.CONFLICT


@dataclass(frozen=True)
class StaffQueue:
    failed: list
    stuck: list


def is_stuck(request: FulfillmentRequest, now: datetime) -> bool:
    """Processing past its lease, or pending well past its due time (no worker picked it up)."""
    overdue = now - timedelta(seconds=current_app.config["PROVISIONING_REQUEUE_AFTER"])
    if request.state == S.PROCESSING.value:
        return request.lease_expires_at is not None and request.lease_expires_at < now
    return request.state == S.PENDING.value and request.next_attempt_at is not None and request.next_attempt_at < overdue


def staff_queue(now: datetime, limit: int = 200) -> StaffQueue:
    """The failed and the stuck requests (at most ``limit`` of each), with what their rows show."""
    failed = db.session.scalars(_with_row(select(R)).where(R.state == S.FAILED.value).order_by(R.failed_at.desc()).limit(limit)).all()
    stuck = db.session.scalars(_with_row(select(R)).where(_stuck_criteria(now)).order_by(R.updated_at).limit(limit)).all()
    return StaffQueue(failed=list(failed), stuck=list(stuck))


def _with_row(statement):
    """What a request's row in the back office shows, loaded in the same query: its order, and
    its subscription's owner, plan and product (one query a page, not two a row)."""
    return statement.options(
        joinedload(R.order), joinedload(R.subscription).joinedload(Subscription.owner),
        joinedload(R.subscription).joinedload(Subscription.plan).joinedload(Plan.product))


def retry_request(request: FulfillmentRequest, now: datetime) -> None:
    """Starts a failed or stuck request again from attempt one (after the caller's commit)."""
    lock_request(request)
    if request.state != S.FAILED.value and not is_stuck(request, now):
        raise StaffActionRefused("Only failed or stuck requests can be retried.")
    if request.subscription.status == SubscriptionStatus.FAILED.value:
        transition(request.subscription, SubscriptionStatus.PENDING)
    request.state = S.PENDING.value
    request.attempts = 0
    request.failed_at = None
    request.claim_token = None
    request.claimed_by = ""
    request.lease_expires_at = None
    request.updated_at = now
    schedule_run(request, now)
    if request.order is not None:
        refresh_order_status(request.order)


def complete_by_hand(request: FulfillmentRequest, reason: str, vendor_reference: str, user, now: datetime) -> None:
    """Marks a failed or stuck request completed, as if the vendor had said done, recording who
    did it and why."""
    lock_request(request)
    if request.state != S.FAILED.value and not is_stuck(request, now):
        raise StaffActionRefused("Only failed or stuck requests can be completed by hand.")
    if not reason.strip():
        raise StaffActionRefused("Give the reason.")
    complete(request, vendor_reference.strip() or f"MANUAL-{request.id}", now)
    request.resolution_note = reason.strip()
    request.resolved_by_id = user.id
    if request.order is not None:
        refresh_order_status(request.order)


# The back office's filter: every request state, plus "stuck" (overdue pending or processing).
STATE_FILTERS = tuple(state.value for state in RequestState) + ("stuck",)


def _stuck_criteria(now: datetime):
    overdue = now - timedelta(seconds=current_app.config["PROVISIONING_REQUEUE_AFTER"])
    return or_(and_(R.state == S.PROCESSING.value, R.lease_expires_at < now),
               and_(R.state == S.PENDING.value, R.next_attempt_at < overdue))


def requests_listing(state: str | None, search: str, now: datetime):
    """Every fulfilment request in one state (or stuck), newest change first, with what its row
    shows loaded in the same query; ``search`` matches an order number or a request id."""
    statement = _with_row(select(R))
    if state == "stuck":
        statement = statement.where(_stuck_criteria(now))
    elif state in STATE_FILTERS:
        statement = statement.where(R.state == state)
    search = search.strip()
    if search:
        matches = R.order.has(number=search.upper())
        statement = statement.where(or_(matches, R.id == int(search)) if search.isdigit() and len(search) < 10 else matches)
    return statement.order_by(R.updated_at.desc(), R.id.desc())


def answer_for_buyer(request: FulfillmentRequest, raw: str, user, now: datetime) -> str:
    """Staff answer the vendor's question in the buyer's place (the buyer asked support, say):
    the same checks and effects as the buyer's own answer, logged on the buyer's activity log."""
    value = answer_question(request, raw, now)
    subscription = request.subscription
    record_activity(subscription.owner_id, "provisioning.answered",
                    f"Answered the vendor's question about {subscription.plan.name} (request {request.id}): {value}",
                    actor=user, subject=request, now=now)
    return value

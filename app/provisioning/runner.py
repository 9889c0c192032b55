"""Running one fulfillment request: claim it, call its connector, record the outcome.

Delivery by RQ is at least once, so the request row decides. A claim is one guarded UPDATE
(``pending``, or ``processing`` whose lease ran out) that sets a fresh claim token; only one of
two deliveries can win it. No transaction is open while the connector runs. The outcome is
recorded only if the claim token is still the request's; a completed request is never claimed
again. The connector always receives the request's stored idempotency key.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from app.core.clock import current_now
from app.catalog.models import Plan
from app.core.locks import for_update, locked
from app.extensions import db
from app.orders.models import Order
from app.plans.models import Subscription
from app.plans.term_prices import load_term_prices
from app.provisioning.connectors import call_connector
from app.provisioning.connectors.base import Outcome, ProvisioningCall
from app.provisioning.connectors.demo import warm_statement_cache as warm_demo
from app.provisioning.models import FulfillmentRequest, RequestState
from app.provisioning.outcomes import apply_outcome, order_states_query, subscription_query

log = logging.getLogger(__name__)
S = RequestState
R = FulfillmentRequest


def worker_identity(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid or os.getpid()}"


@dataclass(frozen=True)
class Claim:
    token: str
    connector: str
    call: ProvisioningCall


def run_request(request_id: int, identity: str | None = None) -> str:
    """Provisions request ``request_id`` if it can be claimed; returns what happened."""
    claim = claim_request(request_id, current_now(), identity or worker_identity())
    if claim is None:
        return "skipped"
    try:
        outcome = call_connector(claim.connector, claim.call)
    except Exception as error:  # a crashing connector (or the job timeout) is a failed attempt
        log.exception("request %s: connector %s raised", request_id, claim.connector)
        outcome = Outcome.error(f"{type(error).__name__}: {error}")
    recorded = record_outcome(request_id, claim.token, outcome, current_now())
    return outcome.kind if recorded else "superseded"


def claim_request(request_id: int, now: datetime, identity: str) -> Claim | None:
    """Claims the request for this process under a lease, counting an attempt; ``None`` when
    it is finished, inquiring, or held by a live claim."""
    config = current_app.config
    token = uuid.uuid4().hex
    claimable = or_(R.state == S.PENDING.value, and_(R.state == S.PROCESSING.value, R.lease_expires_at < now))
    result = db.session.execute(
        update(R).where(R.id == request_id, claimable).values(
            state=S.PROCESSING.value, claim_token=token, claimed_by=identity[:120], attempts=R.attempts + 1,
            processing_started_at=now, lease_expires_at=now + timedelta(seconds=config["PROVISIONING_LEASE_SECONDS"]),
            updated_at=now,
        ).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return None
    request = db.session.scalars(_call_query(request_id)).one()
    connector, attempts, call = request.subscription.plan.product.connector, request.attempts, build_call(request)
    db.session.commit()
    if attempts > config["PROVISIONING_MAX_DELIVERIES"]:
        record_outcome(request_id, token, Outcome.error("Interrupted too many times; given up.", permanent=True), now)
        return None
    return Claim(token, connector, call)


def _call_query(request_id: int):
    """The request with what ``build_call`` reads, in one query."""
    return select(R).where(R.id == request_id).options(
        joinedload(R.subscription, innerjoin=True).options(
            joinedload(Subscription.plan, innerjoin=True).joinedload(Plan.product, innerjoin=True),
            joinedload(Subscription.plan_term, innerjoin=True), joinedload(Subscription.owner, innerjoin=True)),
        joinedload(R.order_line),
    ).execution_options(populate_existing=True)


def _order_of_request(request_id: int):
    """The order of request ``request_id`` (to lock it first: one statement, no lookup before)."""
    return select(Order).join(R, R.order_id == Order.id).where(R.id == request_id)


def _guarded_touch(guard: list, now: datetime):
    """``UPDATE ... RETURNING`` the request when ``guard`` still holds: the guarded write and
    the fresh read of the row in one statement."""
    return (update(R).where(*guard).values(updated_at=now).returning(R)
            .execution_options(synchronize_session=False, populate_existing=True))


def build_call(request: FulfillmentRequest) -> ProvisioningCall:
    subscription = request.subscription
    line = request.order_line
    if line is not None:
        quantities = dict(line.quantities or {})
    else:
        quantities = {row.resource.code: row.quantity for row in subscription.resources}
    parameters = {**(subscription.parameters or {}), **((line.parameters or {}) if line is not None else {})}
    product = subscription.plan.product
    return ProvisioningCall(
        request_id=request.id, action=request.type, idempotency_key=request.idempotency_key,
        subscription_id=subscription.id, owner_id=subscription.owner_id, owner_name=subscription.owner.name,
        product=product.slug, plan=subscription.plan.code, term=subscription.plan_term.code,
        quantities=quantities, parameters=parameters, settings=dict(product.connector_settings or {}),
        callback_url=f"{current_app.config['PUBLIC_BASE_URL']}/vendor/callback/{request.id}",
    )


def record_outcome(request_id: int, claim_token: str | None, outcome: Outcome, now: datetime) -> bool:
    """Applies ``outcome`` if ``claim_token`` still holds the request (``None``: the vendor's
    own call-back, accepted while the request is pending or processing). Commits; returns
    whether it applied. Locks the order, then the request, then the subscription."""
    locked(_order_of_request(request_id), of=Order)  # none when the request has no order
    guard = [R.id == request_id]
    if claim_token is None:
        guard.append(R.state.in_([S.PENDING.value, S.PROCESSING.value]))
    else:
        guard += [R.state == S.PROCESSING.value, R.claim_token == claim_token]
    request = db.session.scalars(_guarded_touch(guard, now)).first()
    if request is None:
        db.session.rollback()
        log.info("request %s: outcome %s not applied (claim superseded or request finished)", request_id, outcome.kind)
        return False
    apply_outcome(request, outcome, now)
    db.session.commit()
    return True


def release_claims_of(identity: str, now: datetime) -> int:
    """Hands back the requests a dead work-horse held, so they can be claimed at once."""
    result = db.session.execute(
        update(R).where(R.state == S.PROCESSING.value, R.claimed_by == identity).values(
            state=S.PENDING.value, claim_token=None, claimed_by="", lease_expires_at=None, updated_at=now,
        ).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0


def warm_statement_cache() -> None:
    """Runs a job's queries once in the worker's parent process, so that the forked
    work-horses inherit them compiled (compiling them again in every horse was most of a job's
    time): the guarded updates against no row, the reads against the newest request when
    there is one. Changes nothing: everything is rolled back."""
    now = current_now()
    try:
        warm_demo()
        claim_request(0, now, "warm-up")
        record_outcome(0, "warm-up", Outcome.done(""), now)
        newest = db.session.scalar(select(R.id).order_by(R.id.desc()).limit(1)) or 0
        request = db.session.scalars(_call_query(newest)).first()
        if request is not None:
            build_call(request)
            db.session.scalars(order_states_query(request.order_id or 0)).all()
            subscription = db.session.scalars(for_update(subscription_query(request.subscription_id), of=Subscription)).one()
            load_term_prices(subscription)  # activation's price lookups (may raise: the caller logs it)
    finally:
        db.session.rollback()

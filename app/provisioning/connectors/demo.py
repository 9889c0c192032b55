"""The demo vendor: a simulated provider with latency, transient failures and questions.

It keeps its own books (``DemoVendorCall``) in transactions of its own, as a remote vendor
would: every call is recorded on arrival, and the first call per idempotency key that succeeds
is the only one that takes effect; later calls with that key replay its result.

Settings (the product's ``connector_settings``, else the app's DEMO_VENDOR_* config):
``latency`` seconds, ``failure_rate`` and ``inquiry_rate`` (0..1), ``fail_first`` (the first N
calls per key fail), ``require_parameters`` (asks for any that is empty) and ``taken_domains``
(asks for another ``domain`` when the one given is listed).
"""
from __future__ import annotations

import hashlib
import random
import time

from flask import current_app
from sqlalchemy import func, insert, select, update

from app.core.clock import current_now
from app.extensions import db
from app.provisioning.connectors.base import Outcome, ProvisioningCall
from app.provisioning.models import DemoVendorCall


def _first_effective(key: str):
    return (select(DemoVendorCall.result).where(DemoVendorCall.idempotency_key == key, DemoVendorCall.took_effect.is_(True))
            .order_by(DemoVendorCall.id).limit(1))


def _earlier_calls(key: str):
    """How many calls this key had, and how many of them were answered with a question."""
    return (select(func.count(DemoVendorCall.id), func.count(DemoVendorCall.id).filter(DemoVendorCall.outcome == "inquire"))
            .where(DemoVendorCall.idempotency_key == key))


def warm_statement_cache() -> None:
    with db.engine.connect() as connection:
        connection.execute(_first_effective("")).first()
        connection.execute(_earlier_calls("")).one()
        connection.rollback()


def provision(call: ProvisioningCall) -> Outcome:
    settings = call.settings or {}
    config = current_app.config
    with db.engine.begin() as connection:
        first = connection.execute(_first_effective(call.idempotency_key)).first()
        if first is not None:
            _record(connection, call, "replayed", first.result, answered=True)
            return Outcome.done(first.result.get("vendor_reference", ""))
        earlier = connection.execute(_earlier_calls(call.idempotency_key)).one()
        call_id = _record(connection, call, "received", {})
    time.sleep(float(settings.get("latency", config["DEMO_VENDOR_LATENCY"])))
    outcome = _decide(call, settings, config, earlier_calls=earlier[0], asked_before=earlier[1] > 0)
    took_effect = outcome.kind == "done"
    result = {"vendor_reference": outcome.vendor_reference} if took_effect else {"message": outcome.message, **outcome.question}
    with db.engine.begin() as connection:
        connection.execute(update(DemoVendorCall).where(DemoVendorCall.id == call_id).values(
            outcome=outcome.kind, took_effect=took_effect, result=result, answered_at=current_now()))
    return outcome


def _decide(call: ProvisioningCall, settings: dict, config, earlier_calls: int, asked_before: bool) -> Outcome:
    if earlier_calls < int(settings.get("fail_first", 0)):
        return Outcome.error("Demo vendor: temporarily unavailable (simulated).")
    if random.random() < float(settings.get("failure_rate", config["DEMO_VENDOR_FAILURE_RATE"])):
        return Outcome.error("Demo vendor: the request timed out on our side (simulated).")
    question = _question(call, settings)
    if question is None and not asked_before and random.random() < float(settings.get("inquiry_rate", config["DEMO_VENDOR_INQUIRY_RATE"])):
        key = next(iter(call.parameters), "technical_contact")
        question = Outcome.inquire(f"Please confirm the value of {key.replace('_', ' ')} before we set this up.", key,
                                   kind="email" if key == "technical_contact" else "text")
    if question is not None:
        return question
    digest = hashlib.sha256(call.idempotency_key.encode()).hexdigest()[:12].upper()
    return Outcome.done(f"DEMO-{digest}")


def _question(call: ProvisioningCall, settings: dict) -> Outcome | None:
    for key in settings.get("require_parameters", []):
        if not str(call.parameters.get(key, "")).strip():
            return Outcome.inquire(f"We need the {key.replace('_', ' ')} to set this subscription up.", key)
    domain = str(call.parameters.get("domain", "")).strip().lower()
    if domain and domain in settings.get("taken_domains", []):
        return Outcome.inquire(f"The domain {domain} is already registered with another account. Please choose another domain.",
                               "domain", "Domain name", "domain")
    return None


def _record(connection, call: ProvisioningCall, outcome: str, result: dict, answered: bool = False) -> int:
    now = current_now()
    return connection.execute(insert(DemoVendorCall).values(
        idempotency_key=call.idempotency_key, request_id=call.request_id, action=call.action, outcome=outcome,
        took_effect=False, result=result, received_at=now, answered_at=now if answered else None,
    ).returning(DemoVendorCall.id)).scalar_one()

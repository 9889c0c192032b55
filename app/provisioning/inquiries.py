"""Vendor questions: the buyer corrects a parameter and provisioning continues."""
from __future__ import annotations

import re
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from app.catalog.models import OrderingParameter
from app.core.errors import Refusal
from app.extensions import db
from app.provisioning.dispatch import schedule_run
from app.provisioning.models import FulfillmentRequest, RequestState
from app.provisioning.outcomes import lock_request

DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$")


class AnswerRejected(Refusal, ValueError):
    """The answer cannot be used; the message says why, for the buyer."""


def asked_parameter(request: FulfillmentRequest) -> OrderingParameter | None:
    """The product's ordering parameter the vendor asks about, when the product defines it."""
    key = (request.question or {}).get("parameter", "")
    product_id = request.subscription.plan.product_id
    return db.session.scalar(select(OrderingParameter).where(OrderingParameter.product_id == product_id,
                                                             OrderingParameter.key == key))


def clean_answer(question: dict, parameter: OrderingParameter | None, raw: str) -> str:
    """The answer, normalised, or ``AnswerRejected``: checked against the product's parameter
    (kind, length, choices) or, for a parameter the product does not define, the kind the
    vendor named."""
    value = (raw or "").strip()
    kind = parameter.kind if parameter is not None else question.get("kind", "text")
    max_length = parameter.max_length if parameter is not None else 200
    if not value:
        raise AnswerRejected("Enter a value.")
    if len(value) > max_length:
        raise AnswerRejected(f"Use at most {max_length} characters.")
    if kind == "email":
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise AnswerRejected("Enter a valid e-mail address.") from None
    if kind == "domain":
        value = value.lower().rstrip(".")
        if not DOMAIN.match(value):
            raise AnswerRejected("Enter a domain name such as example.com.")
    if kind == "choice" and parameter is not None and value not in [choice[0] for choice in parameter.choices]:
        raise AnswerRejected("Choose one of the listed values.")
    return value


def answer_question(request: FulfillmentRequest, raw: str, now: datetime) -> str:
    """Stores the buyer's answer on the order line and the subscription and sends the request
    back to the vendor (after the caller's commit). Raises ``AnswerRejected``."""
    lock_request(request)
    if request.state != RequestState.INQUIRING.value:
        raise AnswerRejected("This question was answered already; provisioning has moved on.")
    value = clean_answer(request.question or {}, asked_parameter(request), raw)
    key = request.question.get("parameter", "")
    if request.order_line is not None:
        request.order_line.parameters = {**(request.order_line.parameters or {}), key: value}
    subscription = request.subscription
    subscription.parameters = {**(subscription.parameters or {}), key: value}
    request.state = RequestState.PENDING.value
    request.question = None
    request.updated_at = now
    schedule_run(request, now)
    return value

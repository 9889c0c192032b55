"""What a connector receives and what it answers: small values, no database rows."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProvisioningCall:
    """Everything a vendor needs to act on one fulfillment request, the same on every attempt."""

    request_id: int
    action: str  # purchase, change, cancel, resume, suspend
    idempotency_key: str
    subscription_id: int
    owner_id: int
    owner_name: str
    product: str  # product slug
    plan: str  # plan code
    term: str  # plan term code
    quantities: dict
    parameters: dict
    settings: dict  # the product's connector_settings
    callback_url: str = ""


@dataclass(frozen=True)
class Outcome:
    """A connector's answer.

    ``done``: provisioned (``vendor_reference`` set); ``accepted``: the vendor will call back;
    ``inquire``: the vendor needs a parameter (``question``); ``error``: try again later, unless
    ``permanent``.
    """

    kind: str
    vendor_reference: str = ""
    question: dict = field(default_factory=dict)
    message: str = ""
    permanent: bool = False

    @classmethod
    def done(cls, vendor_reference: str) -> Outcome:
        return cls("done", vendor_reference=vendor_reference)

    @classmethod
    def accepted(cls) -> Outcome:
        return cls("accepted")

    @classmethod
    def inquire(cls, message: str, parameter: str, label: str = "", kind: str = "text") -> Outcome:
        return cls("inquire", question={"message": message, "parameter": parameter, "label": label or parameter,
                                        "kind": kind})

    @classmethod
    def error(cls, message: str, permanent: bool = False) -> Outcome:
        return cls("error", message=message[:2000], permanent=permanent)


def outcome_from_vendor_answer(answer: dict) -> Outcome:
    """An Outcome from a vendor's JSON answer (a synchronous reply or a call-back)."""
    status = str(answer.get("status", ""))
    if status == "done":
        return Outcome.done(str(answer.get("vendor_reference", ""))[:120])
    if status == "accepted":
        return Outcome.accepted()
    if status == "needs_information":
        return Outcome.inquire(str(answer.get("message", "The vendor needs more information."))[:500],
                               str(answer.get("parameter", ""))[:50], str(answer.get("label", ""))[:100],
                               str(answer.get("kind", "text"))[:20])
    if status == "failed":
        return Outcome.error(f"The vendor reported a failure: {answer.get('message', 'no reason given')}")
    return Outcome.error(f"The vendor answered with an unknown status {status!r}.")

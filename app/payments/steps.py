"""What a payer does next after asking to pay by card, whatever it pays (an order, an invoice):
one answer for every surface that starts a card payment."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.payments.errors import CardDeclined, NoCardOnFile, PaymentCanceled, PaymentError, PaymentRequiresAction


@dataclass(frozen=True)
class PayStep:
    """``paid``, ``processing``, ``authenticate`` (3-D Secure), ``declined`` (``message`` is the
    bank's reason), ``add_card`` (no card on file), ``unavailable`` (the provider failed; try
    later), ``canceled`` (an order cancelled unpaid: it cannot be paid any more)."""

    kind: str
    message: str = ""


# The first class a failure is an instance of names its step (the base class last).
_STEP_OF_FAILURE = ((CardDeclined, "declined"), (PaymentRequiresAction, "authenticate"), (PaymentCanceled, "canceled"),
                    (NoCardOnFile, "add_card"), (PaymentError, "unavailable"))


def pay_step(start: Callable[[], object]) -> PayStep:
    """Runs ``start()`` (a payment service call answering an outcome with ``succeeded``) and says
    what comes next: ``paid`` or ``processing``, or the step of the ``PaymentError`` it raised,
    with the failure's message for the payer."""
    try:
        outcome = start()
    except PaymentError as failure:
        kind = next(kind for failure_class, kind in _STEP_OF_FAILURE if isinstance(failure, failure_class))
        return PayStep(kind, failure.message)
    return PayStep("paid" if outcome.succeeded else "processing")

"""The payment's states: which moves are allowed, and how Stripe's intent states map to them."""
import pytest

from app.payments.models import ALLOWED_TRANSITIONS, PaymentStatus, can_transition
from app.payments.service import INTENT_STATUS


@pytest.mark.parametrize(("current", "new", "allowed"), [
    ("requires_payment_method", "succeeded", True),
    ("requires_action", "succeeded", True),
    ("requires_action", "failed", True),
    ("failed", "requires_payment_method", True),  # a new attempt after a decline
    ("failed", "succeeded", False),  # only through a new attempt
    ("succeeded", "failed", False),  # a late "failed" event cannot undo a payment
    ("succeeded", "requires_action", False),
    ("succeeded", "refunded", True),
    ("refunded", "succeeded", False),
])
def test_allowed_moves(current, new, allowed):
    assert can_transition(current, new) is allowed


def test_every_state_lists_its_moves_and_succeeded_is_left_only_by_a_refund():
    assert set(ALLOWED_TRANSITIONS) == set(PaymentStatus)
    assert ALLOWED_TRANSITIONS[PaymentStatus.SUCCEEDED] == {PaymentStatus.REFUNDED}


def test_stripe_intent_states_map_to_ours():
    assert {stripe: ours.value for stripe, ours in INTENT_STATUS.items()} == {
        "succeeded": "succeeded", "requires_action": "requires_action", "requires_confirmation": "requires_action",
        "processing": "processing", "requires_capture": "processing",
        "requires_payment_method": "failed", "canceled": "failed",
    }

"""The subscription state machine: the states, the allowed transitions, one function to move.

pending --provisioned--> active --cancel--> canceled --resume--> active
canceled --period ends--> expired (a window cancellation goes through canceled at once)
pending --provisioning gave up--> failed --staff retry--> pending
pending --its order was cancelled unpaid--> expired (never started, never provisioned)
active/canceled --charge failed past retries--> suspended --paid--> active, or canceled when a
cancellation is pending (``cancel_at_period_end``); suspended with a pending cancellation
--period ends--> expired. Expired is final: such subscriptions leave the overviews.
"""
from __future__ import annotations

import enum


class SubscriptionStatus(str, enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    CANCELED = "canceled"
    EXPIRED = "expired"
    FAILED = "failed"
    SUSPENDED = "suspended"


S = SubscriptionStatus
ALLOWED_TRANSITIONS: dict[SubscriptionStatus, frozenset[SubscriptionStatus]] = {
    S.PENDING: frozenset({S.ACTIVE, S.FAILED, S.EXPIRED}),
    S.ACTIVE: frozenset({S.CANCELED, S.SUSPENDED}),
    S.CANCELED: frozenset({S.ACTIVE, S.EXPIRED, S.SUSPENDED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.CANCELED, S.EXPIRED}),
    S.FAILED: frozenset({S.PENDING}),  # staff retry provisioning
    S.EXPIRED: frozenset(),
}


class IllegalTransition(Exception):
    def __init__(self, current: SubscriptionStatus, target: SubscriptionStatus) -> None:
        super().__init__(f"A subscription cannot go from {current.value} to {target.value}.")
        self.current = current
        self.target = target


def transition(subscription, target: SubscriptionStatus) -> None:
    """Moves ``subscription.status`` to ``target`` or raises ``IllegalTransition``."""
    current = SubscriptionStatus(subscription.status)
    if target not in ALLOWED_TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    subscription.status = target.value

"""The one function through which placed orders reach provisioning.

Contract (used by the checkout): called inside the transaction that places the order, after the
order's subscriptions were created as ``pending`` and each purchase/change line's
``subscription_id`` was set, before the commit. It must not commit; whatever it enqueues on
Redis is enqueued only after that transaction commits.
"""
from __future__ import annotations


def hand_off(order) -> None:
    """Asks provisioning to fulfil every line of ``order`` (the provisioning issue fills this)."""
    return None

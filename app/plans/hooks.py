"""What the lifecycle needs from the areas above it, installed when the app is created.

Dependencies flow orders -> plans (and provisioning -> plans): plans imports neither. Two things
it needs live there, so each area registers its function when its blueprint is registered:

- ``tell_vendor(subscription, kind, now)``: a lifecycle step (``change``, ``cancel``,
  ``suspend``, ``resume``) as a fulfillment request in the caller's transaction
  (``app.provisioning``);
- ``purchase_payment_method(subscription_id)``: how the subscription was bought, its purchase
  order's payment method, or None without one (``app.orders``).

Calling one that nobody registered raises: a lifecycle step never silently skips it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

_installed: dict[str, Callable] = {}


def register_vendor_requests(writer: Callable) -> None:
    """``writer(subscription, kind, now)`` writes a lifecycle fulfillment request."""
    _installed["tell_vendor"] = writer


def register_purchase_lookup(lookup: Callable[[int], str | None]) -> None:
    """``lookup(subscription_id)`` is the payment method of the subscription's purchase order."""
    _installed["purchase_payment_method"] = lookup


def _installed_hook(name: str) -> Callable:
    try:
        return _installed[name]
    except KeyError:
        raise RuntimeError(f"no {name} hook installed: create the app first (see app.plans.hooks)") from None


def tell_vendor(subscription, kind: str, now: datetime):
    """A ``kind`` fulfillment request for ``subscription``, enqueued after the caller's commit."""
    return _installed_hook("tell_vendor")(subscription, kind, now)


def purchase_payment_method(subscription_id: int) -> str | None:
    return _installed_hook("purchase_payment_method")(subscription_id)

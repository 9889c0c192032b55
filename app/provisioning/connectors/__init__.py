"""Connectors, registered by the name a product's ``connector`` column holds.

A connector is a function ``(call: ProvisioningCall) -> Outcome``. It must be idempotent by
``call.idempotency_key``: the same key may arrive again after a crash or a retry.
"""
from __future__ import annotations

from collections.abc import Callable

from app.provisioning.connectors.base import Outcome, ProvisioningCall
from app.provisioning.connectors.demo import provision as demo
from app.provisioning.connectors.storefront import provision as reseller_storefront
from app.provisioning.connectors.webhook import provision as webhook

CONNECTORS: dict[str, Callable[[ProvisioningCall], Outcome]] = {
    "demo": demo,
    "webhook": webhook,
    "reseller_storefront": reseller_storefront,
}


def call_connector(name: str, call: ProvisioningCall) -> Outcome:
    """Runs the named connector; an unknown name is a permanent error (nothing to retry)."""
    connector = CONNECTORS.get(name)
    if connector is None:
        return Outcome.error(f"No connector is called {name!r}.", permanent=True)
    return connector(call)

"""The reseller storefront connector (seed 003): a Reseller Storefront subscription switches on
the reseller's own white-label storefront. Internal and idempotent by nature (setting a flag)."""
from __future__ import annotations

from sqlalchemy import select, update

from app.accounts.models import Organisation
from app.extensions import db
from app.provisioning.connectors.base import Outcome, ProvisioningCall

SWITCH = {"purchase": True, "change": True, "resume": True, "suspend": False}


def provision(call: ProvisioningCall) -> Outcome:
    reference = f"STOREFRONT-{call.owner_id}"
    if call.action not in SWITCH:  # a cancellation keeps the storefront until the subscription expires
        return Outcome.done(reference)
    with db.engine.begin() as connection:
        owner = connection.execute(select(Organisation.kind, Organisation.reselling_enabled)
                                   .where(Organisation.id == call.owner_id)).first()
        if owner is None or owner.kind != "reseller" or not owner.reselling_enabled:
            return Outcome.error("A storefront can only be switched on for an organisation with reselling enabled.",
                                 permanent=True)
        connection.execute(update(Organisation).where(Organisation.id == call.owner_id)
                           .values(storefront_enabled=SWITCH[call.action]))
    return Outcome.done(reference)

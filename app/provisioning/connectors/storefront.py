"""The reseller storefront connector (seed 003): a Reseller Storefront subscription switches on
the reseller's own white-label storefront (``app.accounts.storefronts``), in the edition of its
plan (``free`` or ``standard``). Its ``cancel`` request comes when the subscription ends (at
expiry, or at once under a window policy), and switches the storefront off. Internal and
idempotent by nature (setting a flag)."""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Organisation
from app.accounts.storefronts import switch_storefront
from app.extensions import db
from app.provisioning.connectors.base import Outcome, ProvisioningCall

SWITCH = {"purchase": True, "change": True, "resume": True, "suspend": False, "cancel": False}


def provision(call: ProvisioningCall) -> Outcome:
    reference = f"STOREFRONT-{call.owner_id}"
    if call.action not in SWITCH:
        return Outcome.done(reference)
    with db.engine.begin() as connection:
        owner = connection.execute(select(Organisation.kind, Organisation.reselling_enabled, Organisation.name)
                                   .where(Organisation.id == call.owner_id)).first()
        if SWITCH[call.action] and (owner is None or owner.kind != "reseller" or not owner.reselling_enabled):
            return Outcome.error("A storefront can only be switched on for an organisation with reselling enabled.",
                                 permanent=True)
        if owner is not None:
            switch_storefront(connection, call.owner_id, owner.name, call.plan, SWITCH[call.action])
    return Outcome.done(reference)

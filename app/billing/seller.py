"""Who an invoice says it is from: the seller's legal name, address and tax ID.

A customer of a reseller is invoiced by that reseller, everyone else by the distributor. A
reseller's details are its billing information on file. The distributor's are the
``DISTRIBUTOR_LEGAL_*`` settings when ``DISTRIBUTOR_LEGAL_NAME`` is set, else its billing
information; an organisation with neither is named only."""
from __future__ import annotations

from collections.abc import Mapping

# Setting -> key of the details (the keys ``bill_to`` uses, so one address layout prints both).
DISTRIBUTOR_SETTINGS = {
    "DISTRIBUTOR_LEGAL_NAME": "name",
    "DISTRIBUTOR_ADDRESS_LINE1": "address_line1",
    "DISTRIBUTOR_ADDRESS_LINE2": "address_line2",
    "DISTRIBUTOR_POSTAL_CODE": "postal_code",
    "DISTRIBUTOR_CITY": "city",
    "DISTRIBUTOR_COUNTRY": "country",
    "DISTRIBUTOR_TAX_ID": "tax_id",
    "DISTRIBUTOR_BILLING_EMAIL": "email",
}
FALLBACK_NAME = "Cloud Marketplace"


def billing_details(organisation) -> dict:
    """An organisation's billing details as an invoice prints them (its name alone when none
    are on file)."""
    info = organisation.billing_info
    if info is None:
        return {"name": organisation.name}
    return {"name": info.legal_name, "address_line1": info.address_line1, "address_line2": info.address_line2,
            "city": info.city, "postal_code": info.postal_code, "country": info.country, "tax_id": info.tax_id,
            "email": info.billing_email}


def configured_distributor_details(config: Mapping) -> dict | None:
    """The distributor's legal details from the settings; ``None`` when no legal name is set."""
    if not config.get("DISTRIBUTOR_LEGAL_NAME"):
        return None
    return {key: config.get(setting) or "" for setting, key in DISTRIBUTOR_SETTINGS.items()}


def legal_details_of(seller, config: Mapping) -> dict:
    """The legal details of ``seller`` (an organisation, or ``None`` for the marketplace itself)
    that an invoice it issues carries, by the rule in this module's docstring."""
    if seller is None or seller.is_distributor:
        configured = configured_distributor_details(config)
        if configured is not None:
            return configured
    if seller is None:
        return {"name": FALLBACK_NAME}
    return billing_details(seller)

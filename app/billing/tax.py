"""Tax on an order or an invoice: the marketplace's rate, or nothing under the reverse-charge rule.

Reverse charge: a business buyer (its billing information carries a tax ID) whose billing
country differs from the marketplace's country, when both countries belong to the marketplace's
tax region (e.g. the EU), is not charged tax; the buyer accounts for it in its own country and
the order and invoice say "reverse charge". Everyone else pays the marketplace's rate, rounded
half up to the minor unit on the order's subtotal.
"""
from __future__ import annotations

EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
TAX_REGIONS: dict[str, frozenset[str]] = {"EU": EU_MEMBER_STATES}


def is_reverse_charge(marketplace_country: str, tax_region: str | None, buyer_country: str | None,
                      buyer_tax_id: str | None) -> bool:
    """Whether the reverse-charge rule above applies."""
    if not tax_region or not buyer_country or not (buyer_tax_id or "").strip():
        return False
    members = TAX_REGIONS.get(tax_region, frozenset())
    buyer_country, marketplace_country = buyer_country.upper(), marketplace_country.upper()
    return buyer_country != marketplace_country and buyer_country in members and marketplace_country in members


def reverse_charge_for(buyer, marketplace) -> bool:
    """Whether ``buyer`` (``None``: anonymous) is reverse charged in ``marketplace``, by its
    billing information on file."""
    billing = buyer.billing_info if buyer is not None else None
    return billing is not None and is_reverse_charge(marketplace.country, marketplace.tax_region, billing.country, billing.tax_id)

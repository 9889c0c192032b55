"""Who may buy what: the one rule of which plan audiences a buyer may buy, read by the
storefront (what it lists and offers with a buy button, through ``Viewer.kind``), the API's plan
lists, and the checkout's validation (``app.orders.validation``, which adds for whom a plan is
bought). The panels' ordering flows each sell one audience to one beneficiary, which that
validation checks.

Buyers are of five kinds (``buyer_kind``):
- an **anonymous visitor** may become any buyer (a prospective reseller too): it sees and may
  put in its cart every plan; the checkout checks the lines once it is signed in;
- an organisation **acting as a reseller** (reselling enabled) buys reseller plans for its own
  use and customer plans for its customers;
- a **reseller's customer** (its reseller acts as one) buys customer plans, at its reseller's price;
- a **direct customer** buys customer plans for itself at retail: a customer of the distributor,
  an organisation of kind reseller whose reselling is not (or no longer) enabled, a customer of
  such an organisation;
- the **distributor** buys nothing from its own marketplace; its staff see the storefront as a
  visitor does (to check it), with no buy button.
"""
from __future__ import annotations

import enum

from app.catalog.models import Audience

EVERY_AUDIENCE = (Audience.RESELLER.value, Audience.CUSTOMER.value)
CUSTOMER_ONLY = (Audience.CUSTOMER.value,)


class BuyerKind(str, enum.Enum):
    VISITOR = "visitor"
    RESELLER = "reseller"
    RESELLERS_CUSTOMER = "resellers_customer"
    DIRECT_CUSTOMER = "direct_customer"
    DISTRIBUTOR = "distributor"

    @property
    def buyable(self) -> tuple[str, ...]:
        """The plan audiences this kind of buyer may buy (for itself or for its customers)."""
        return _BUYABLE[self]

    @property
    def listed(self) -> tuple[str, ...]:
        """The plan audiences the storefront shows this kind of viewer: what it may buy; every
        audience to the distributor's staff, who look without buying."""
        return EVERY_AUDIENCE if self is BuyerKind.DISTRIBUTOR else self.buyable


_BUYABLE = {
    BuyerKind.VISITOR: EVERY_AUDIENCE,
    BuyerKind.RESELLER: EVERY_AUDIENCE,
    BuyerKind.RESELLERS_CUSTOMER: CUSTOMER_ONLY,
    BuyerKind.DIRECT_CUSTOMER: CUSTOMER_ONLY,
    BuyerKind.DISTRIBUTOR: (),
}


def buyer_kind(organisation) -> BuyerKind:
    """The kind of buyer an organisation is (``None``: an anonymous visitor), from its kind,
    its reselling flag and its parent's, as they are now."""
    if organisation is None:
        return BuyerKind.VISITOR
    if organisation.is_distributor:
        return BuyerKind.DISTRIBUTOR
    if organisation.acts_as_reseller:
        return BuyerKind.RESELLER
    if organisation.is_customer and organisation.parent is not None and organisation.parent.acts_as_reseller:
        return BuyerKind.RESELLERS_CUSTOMER
    return BuyerKind.DIRECT_CUSTOMER


def buyable_audiences(organisation) -> tuple[str, ...]:
    """The plan audiences ``organisation`` (``None``: an anonymous visitor) may buy."""
    return buyer_kind(organisation).buyable

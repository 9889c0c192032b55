"""The checkout's gates: what must hold before anything is validated, quoted or placed, for any
caller (the checkout page, a panel, the API, a job). In this order, so the buyer hears about the
first thing to fix: only the buying organisation's administrators (or its reseller's, on its
behalf) place orders; whoever places
it has proven their e-mail address (a sign-up's verification link); the order has lines; a cart
belongs to the marketplace it is checked out in (an order is in one currency); billing
information is on file before a first order.
"""
from __future__ import annotations

from collections.abc import Sized

from app.catalog.models import Marketplace
from app.core.errors import RefusalKind
from app.extensions import db
from app.orders.placing import CheckoutError


class NotAllowedToOrder(CheckoutError):
    kind = RefusalKind.FORBIDDEN


class EmailNotVerified(CheckoutError):
    """The user placing the order signed up and has not opened the verification link yet."""

    kind = RefusalKind.FORBIDDEN


class CartEmpty(CheckoutError):
    message = "Your cart is empty."


class CartOfOtherMarketplace(CheckoutError):
    """The cart was filled in another marketplace than the one it is checked out in."""

    kind = RefusalKind.CONFLICT


class BillingInformationMissing(CheckoutError):
    """The buyer has no billing information: it must say who to invoice first."""

    kind = RefusalKind.CONFLICT
    message = "Before your first order, tell us who to invoice."


def other_marketplace_notice(cart_marketplace, marketplace) -> str:
    """What to tell a buyer in ``marketplace`` whose cart was filled in ``cart_marketplace``."""
    return (f"Your cart holds items from {cart_marketplace.name} ({cart_marketplace.currency}). To check them out, "
            f"switch back to {cart_marketplace.name}; to buy in {marketplace.name}, empty your cart first.")


def may_order_for(user, buyer) -> bool:
    """Whether ``user`` (an administrator) places orders for ``buyer``: its own organisation,
    or a customer of the reseller it administers (an order placed on the customer's behalf,
    recorded as such in its activity log)."""
    if user.organisation_id == buyer.id:
        return True
    return buyer.parent_id == user.organisation_id and user.organisation.acts_as_reseller


def check_gates(buyer, placed_by, marketplace, lines: Sized, cart_marketplace_id: int | None = None) -> None:
    """Refuses (a ``CheckoutError`` named above) an order that must not be placed as asked;
    reads only. ``placed_by``: the user placing it (``None``: the organisation itself, e.g. a
    job); ``cart_marketplace_id``: the marketplace of the cart the lines come from, if any."""
    if placed_by is not None and (not placed_by.is_admin or not may_order_for(placed_by, buyer)):
        raise NotAllowedToOrder(f"Only administrators of {buyer.name} can place orders.")
    if placed_by is not None and placed_by.email_verified_at is None:
        raise EmailNotVerified(f"Confirm your e-mail address before you place an order: open the link we sent to "
                               f"{placed_by.email}, or ask for a new one.")
    if not len(lines):
        raise CartEmpty()
    if cart_marketplace_id is not None and cart_marketplace_id != marketplace.id:
        raise CartOfOtherMarketplace(other_marketplace_notice(db.session.get(Marketplace, cart_marketplace_id), marketplace))
    if buyer.billing_info is None:
        raise BillingInformationMissing()

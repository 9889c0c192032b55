"""What an order line is worth at the reseller's cost and at the end customer's price, frozen
at placing for the sales and margin reports (``app.orders.reports``).

Each charged item is re-priced at both tiers with the quote's own rule (``quote.charge``: the
same quantity, period fraction and "billed later"), so the values add up like the line. A
reseller's own use is resold at its cost (no margin); a direct customer of the distributor pays
the MSRP, which is then its "resale" value.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from app.catalog.pricing import PriceBasis, PriceBook, Viewer, viewer_for
from app.orders.quote import charge


@dataclass(frozen=True)
class LineValues:
    cost: int
    resale: int


def _fraction(text: str) -> Fraction | None:
    return Fraction(text) if text else None


def purchase_line_values(items, term, book: PriceBook, own_use: bool) -> LineValues:
    """``items``: the frozen ``OrderLineItem``s of a purchase of ``term``; ``book``: the price
    book of the line's end customer (``end_customer_book``)."""
    codes = {plan_resource.resource.code: plan_resource.resource_id for plan_resource in term.plan.resources}
    cost = resale = 0
    for item in items:
        if item.unit_price < 0:  # a credit: purchases have none
            continue
        if item.resource_code:
            tiers = book.resource_tiers(term.id, codes[item.resource_code])
        else:
            tiers = book.plan_term_tiers(term.id)
        options = dict(period_fraction=_fraction(item.period_fraction), one_time=item.one_time, billed_later=item.billed_later)
        item_cost = charge("", tiers.cost, item.quantity, **options).subtotal
        cost += item_cost
        resale += item_cost if own_use else charge("", tiers.customer, item.quantity, **options).subtotal
    return LineValues(cost, resale)


def end_customer_book(buyer, for_itself: bool, marketplace) -> PriceBook:
    """The price book whose tiers hold the line's reseller cost and its end customer's price:
    the buyer's own, or, for a reseller buying for a customer, its customers' prices."""
    viewer = viewer_for(buyer) if for_itself else Viewer(PriceBasis.RESELLER_PRICE, reseller_id=buyer.id)
    return PriceBook(viewer, marketplace)

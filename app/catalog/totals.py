"""The running total a plan card shows before "Add to cart": what the chosen term and add-ons
come to, before tax, by the quote's rule (``app.orders.quote.price_purchase``): the term's
price per billing period, plus each recurring add-on above what the plan includes; one-time
services once. ``app/static/js/plan-total.js`` applies the same rule as quantities change."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.catalog.queries import AddOn, PlanOffer
from app.money import Money


@dataclass(frozen=True)
class PlanTotal:
    per_period: Money  # every billing period of the term
    once: Money  # one-time services, charged with the first invoice


def is_toggle(add_on: AddOn) -> bool:
    """An add-on taken or not (a checkbox), rather than a number of units."""
    plan_resource = add_on.plan_resource
    return plan_resource.minimum == 0 and plan_resource.maximum == 1


def starting_quantities(offer: PlanOffer) -> dict[str, int]:
    """The quantities the card's form starts with, by resource code."""
    return {add_on.plan_resource.resource.code: 0 if is_toggle(add_on) else max(add_on.plan_resource.included, add_on.plan_resource.minimum)
            for add_on in offer.add_ons}


def plan_total(offer: PlanOffer, quantities: Mapping[str, int] | None = None) -> PlanTotal:
    """The total of ``offer`` at ``quantities`` (default: the form's starting quantities)."""
    quantities = starting_quantities(offer) if quantities is None else quantities
    per_period, once = offer.price, Money.zero(offer.price.currency)
    for add_on in offer.add_ons:
        plan_resource = add_on.plan_resource
        extra = max(0, quantities.get(plan_resource.resource.code, 0) - plan_resource.included)
        if plan_resource.resource.is_one_time:
            once = once + add_on.unit_price * extra
        else:
            per_period = per_period + add_on.unit_price * extra
    return PlanTotal(per_period, once)

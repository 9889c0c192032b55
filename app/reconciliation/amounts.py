"""What each charge of a reseller's customers' subscriptions cost the reseller and what its
customer pays: the one rule, as SQL expressions, that the reconciliation's rows select
(``app.reconciliation.rows``) and the reseller home's chart adds up by month
(``app.reconciliation.monthly``), so the two never disagree.

- An order item was charged at its buyer's tier (``subtotal``, as charged). A buyer enabled for
  reselling paid the cost; anyone else the customer price. The other tier is the unit price
  locked for the subscription's term (``Subscription.locked_prices``: the plan's for the plan
  item, the resource's, found by its code, for a resource item) times the quantity, prorated by
  the item's period fraction ("3/31") the way ``app.plans.proration.prorate`` does it (half up,
  the sign of the quantity kept). Not known (NULL) when no price is locked for it, and for a
  credit (a refund item of a change: its other tier is not recorded).
- A renewal's amounts are the billing period's (``BillingPeriod.customer_amount`` and
  ``reseller_amount``, the sums of its lines at both tiers).

The statements must join ``OrderLineItem``, ``OrderLine``, ``Order`` and ``Subscription``, then
``with_tiers`` (the buyer and the item's resource).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, String, and_, case, cast, func, literal, null
from sqlalchemy.orm import aliased

from app.accounts.models import Organisation, OrganisationKind
from app.catalog.models import Resource
from app.orders.models import Order, OrderLineItem
from app.plans.models import Subscription

BUYER = aliased(Organisation, name="charged_buyer")
ITEM_RESOURCE = aliased(Resource, name="charged_resource")


def with_tiers(statement):
    """``statement`` (joining the item, its line, order and subscription) with the buyer and
    the item's resource joined, as ``item_tiers`` reads them."""
    return (statement.join(BUYER, BUYER.id == Order.buyer_id)
            .outerjoin(ITEM_RESOURCE, ITEM_RESOURCE.code == OrderLineItem.resource_code))


def prorated_sql(unit, quantity, fraction_text, dialect: str):
    """``unit`` x ``quantity`` x the fraction ``fraction_text`` ("n/d"; "" or a whole number:
    no fraction), rounded half up on the quantity's magnitude, its sign kept: ``prorate`` in
    SQL, in integers (round half up of a non-negative n/d is (2n + d) div 2d)."""
    if dialect == "postgresql":
        numerator = cast(func.nullif(func.split_part(fraction_text, "/", 1), ""), BigInteger)
        denominator = cast(func.nullif(func.split_part(fraction_text, "/", 2), ""), BigInteger)
    else:
        slash = func.instr(fraction_text, "/")
        numerator = cast(func.substr(fraction_text, 1, slash - 1), BigInteger)
        denominator = cast(func.substr(fraction_text, slash + 1), BigInteger)
    magnitude = cast(unit, BigInteger) * func.abs(quantity) * numerator
    rounded = (2 * magnitude + denominator) // (2 * denominator)
    signed = case((quantity < 0, -rounded), else_=rounded)
    return case((fraction_text.contains("/"), signed), else_=cast(unit, BigInteger) * quantity)


def _locked_unit(tier: str, dialect: str):
    """The subscription's locked ``tier`` ("cost" or "customer") unit price of the item."""
    prices = Subscription.locked_prices
    if dialect == "postgresql":
        plan = func.json_extract_path_text(prices, "plan", tier)
        resource = func.json_extract_path_text(prices, "resources", cast(ITEM_RESOURCE.id, String), tier)
    else:
        plan = func.json_extract(prices, f"$.plan.{tier}")
        resource = func.json_extract(prices, literal('$.resources."', String) + cast(ITEM_RESOURCE.id, String)
                                     + literal(f'".{tier}', String))
    return cast(case((OrderLineItem.resource_code == "", plan), else_=resource), BigInteger)


@dataclass(frozen=True)
class ItemTiers:
    unit_cost: object  # SQL expressions (NULL: not known)
    unit_price: object
    cost_amount: object
    price_amount: object


def item_tiers(dialect: str) -> ItemTiers:
    """An order item's unit and amount at the reseller's cost and at the customer's price."""
    pays_cost = and_(BUYER.kind == OrganisationKind.RESELLER.value, BUYER.reselling_enabled.is_(True))
    credit = OrderLineItem.unit_price < 0

    def other(tier: str):
        unit = case((credit, null()), else_=_locked_unit(tier, dialect))
        return unit, prorated_sql(unit, OrderLineItem.quantity, OrderLineItem.period_fraction, dialect)

    other_cost, other_cost_amount = other("cost")
    other_price, other_price_amount = other("customer")
    charged_unit, charged_amount = cast(OrderLineItem.unit_price, BigInteger), cast(OrderLineItem.subtotal, BigInteger)
    return ItemTiers(
        unit_cost=case((pays_cost, charged_unit), else_=other_cost),
        unit_price=case((pays_cost, other_price), else_=charged_unit),
        cost_amount=case((pays_cost, charged_amount), else_=other_cost_amount),
        price_amount=case((pays_cost, other_price_amount), else_=charged_amount),
    )

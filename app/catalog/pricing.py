"""The one place that answers "what does this buyer pay for this plan term or resource here?".

Rule: a buyer always sees its own seller's price.
- anonymous visitors, the distributor's direct customers (organisations the distributor has
  not enabled for reselling) and distributor staff: the MSRP of the distributor's list;
- an organisation with reselling enabled: the reseller cost of the distributor's list;
- a customer of a reseller: that reseller's customer price, which is an absolute amount, or a
  markup over cost (rounded half up to the minor unit), or the MSRP when it set neither.

Prices of plan terms are per billing period and cover the plan's included resources; resource
prices are per unit above what is included (per billing period, or once for one-time resources).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Iterable

from sqlalchemy import Integer, bindparam, cast, func, null, select, union_all

from app.accounts.models import Organisation, OrganisationKind
from app.catalog.cache import cached
from app.catalog.eligibility import BuyerKind, buyer_kind
from app.catalog.models import PlanTermPrice, PriceList, ResourcePrice
from app.core.clock import current_now
from app.extensions import db
from app.money import Money, apply_basis_points


class PriceNotSet(LookupError):
    """The marketplace's price list has no price for this item: it cannot be sold here."""


class PriceBasis(str, enum.Enum):
    MSRP = "msrp"
    COST = "cost"
    RESELLER_PRICE = "reseller_price"


_KIND_OF_BASIS = {PriceBasis.MSRP: BuyerKind.VISITOR, PriceBasis.COST: BuyerKind.RESELLER,
                  PriceBasis.RESELLER_PRICE: BuyerKind.RESELLERS_CUSTOMER}


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose prices apply: the basis and, for a reseller's customers, that reseller; and the kind
    of buyer looking (``app.catalog.eligibility``: which plans it is shown and may buy), by
    default the one its basis implies (retail: an anonymous visitor)."""

    basis: PriceBasis
    reseller_id: int | None = None
    kind: BuyerKind | None = None

    def __post_init__(self) -> None:
        if self.kind is None:
            object.__setattr__(self, "kind", _KIND_OF_BASIS[self.basis])

    @property
    def label(self) -> str:
        return {
            PriceBasis.MSRP: "Retail price (MSRP)",
            PriceBasis.COST: "Your reseller cost",
            PriceBasis.RESELLER_PRICE: "Your price",
        }[self.basis]


ANONYMOUS = Viewer(PriceBasis.MSRP)


def viewer_for(organisation) -> Viewer:
    """The price basis and kind of buyer of an organisation (or ``None`` for an anonymous visitor)."""
    kind = buyer_kind(organisation)
    if kind is BuyerKind.RESELLER:
        return Viewer(PriceBasis.COST)
    if kind is BuyerKind.RESELLERS_CUSTOMER:
        return Viewer(PriceBasis.RESELLER_PRICE, reseller_id=organisation.parent_id)
    return Viewer(PriceBasis.MSRP, kind=kind)


@dataclass(frozen=True, slots=True)
class TierPrices:
    """One item's prices at every tier, in minor units of one currency."""

    currency: str
    cost: int
    msrp: int
    customer: int  # what the reseller's customer pays: its price, markup or the MSRP

    @property
    def margin(self) -> Money:
        return Money(self.customer - self.cost, self.currency)


def customer_price(cost: int, msrp: int, amount: int | None, markup_bp: int | None) -> int:
    """A reseller's customer price: absolute amount, else markup over cost, else MSRP."""
    if amount is not None:
        return amount
    if markup_bp is not None:
        return cost + apply_basis_points(cost, markup_bp)
    return msrp


def price_for(viewer: Viewer, tiers: TierPrices) -> Money:
    if viewer.basis is PriceBasis.COST:
        return Money(tiers.cost, tiers.currency)
    if viewer.basis is PriceBasis.RESELLER_PRICE:
        return Money(tiers.customer, tiers.currency)
    return Money(tiers.msrp, tiers.currency)


def rows_in_effect(model, list_ids, at: datetime, plan_term_ids=None):
    """A select of ``model``'s rows (``PlanTermPrice`` or ``ResourcePrice``) on these lists, with
    their ``newest_first`` rank per list and item among the rows dated up to ``at``: rank 1 is
    the row in effect then. Columns: price_list_id, plan_term_id, resource_id (NULL for plan
    terms), cost, msrp, amount, markup_bp, newest_first."""
    resource_id = model.resource_id if model is ResourcePrice else cast(null(), Integer)
    item = (model.price_list_id, model.plan_term_id) + ((model.resource_id,) if model is ResourcePrice else ())
    newest_first = func.row_number().over(partition_by=item, order_by=model.effective_from.desc())
    statement = (
        select(model.price_list_id, model.plan_term_id, resource_id.label("resource_id"), model.cost, model.msrp,
               model.amount, model.markup_bp, newest_first.label("newest_first"))
        .where(model.price_list_id.in_(list_ids), model.effective_from <= at)
    )
    if plan_term_ids is not None:
        statement = statement.where(model.plan_term_id.in_(plan_term_ids))
    return statement


@lru_cache(maxsize=None)
def _prices_in_effect(terms: bool, resources: bool):
    """The price book's statement, built once per process for each shape (plan term prices,
    resource prices, or both): every book reads with its own bound values (``list_ids``,
    ``at``, ``term_ids``, ``resource_term_ids``). Building it anew cost more CPU than running it."""
    list_ids, at = bindparam("list_ids", expanding=True), bindparam("at", type_=PlanTermPrice.effective_from.type)
    parts = [rows_in_effect(model, list_ids, at, bindparam(name, expanding=True))
             for model, name, wanted in ((PlanTermPrice, "term_ids", terms), (ResourcePrice, "resource_term_ids", resources))
             if wanted]
    dated = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return select(dated).where(dated.c.newest_first == 1)


class PriceBook:
    """Prices for one viewer in one marketplace.

    ``load(plan_term_ids)`` reads every price of those terms in one query (plan term and
    resource prices together), whatever their number; which price lists apply is read once per
    book, from the storefront cache.
    ``with_resources=False`` skips resource prices (such terms load them later on demand). Rows
    are read as plain tuples, not ORM objects: a catalog page prices hundreds of items. Look-ups
    afterwards touch no database.

    Prices are dated (``effective_from``): the book reads those in effect at ``at``, by default
    the app clock's now when the book is made (a renewal prices its new term at its start).
    """

    def __init__(self, viewer: Viewer, marketplace, at: datetime | None = None) -> None:
        self.viewer = viewer
        self.moment = at if at is not None else current_now()
        self.marketplace = marketplace
        self.currency = marketplace.currency
        self._terms: dict[int, TierPrices] = {}
        self._resources: dict[tuple[int, int], TierPrices] = {}
        self._terms_loaded: set[int] = set()
        self._resources_loaded: set[int] = set()
        self._list_ids: tuple[int | None, int | None] | None = None

    def _price_lists(self) -> tuple[int | None, int | None]:
        """(the distributor's list, the viewer's reseller's list) in this marketplace."""
        if self._list_ids is None:

            def read() -> list:
                lists = db.session.execute(
                    select(PriceList.id, Organisation.kind, Organisation.id)
                    .join(Organisation, Organisation.id == PriceList.seller_id)
                    .where(PriceList.marketplace_id == self.marketplace.id)
                    .where(
                        (Organisation.kind == OrganisationKind.DISTRIBUTOR.value)
                        | (Organisation.id == (self.viewer.reseller_id or -1))
                    )
                ).all()
                return [
                    next((row[0] for row in lists if row[1] == OrganisationKind.DISTRIBUTOR.value), None),
                    next((row[0] for row in lists if row[2] == self.viewer.reseller_id), None),
                ]

            # Which lists, not their prices, come from the storefront cache (bumped by any write
            # of a price list or of the distributor organisation): prices are always read fresh.
            self._list_ids = tuple(cached("price_lists", (self.marketplace.id, self.viewer.reseller_id), read))
        return self._list_ids

    def _rows(self, wanted_terms: set[int], wanted_resources: set[int]) -> list:
        """Plan term prices (``resource_id`` None) and resource prices of these plan terms on
        the viewer's lists, each the row in effect at the book's moment (the latest
        ``effective_from`` not after it), in one statement."""
        distributor_list, reseller_list = self._price_lists()
        list_ids = [distributor_list] + ([reseller_list] if reseller_list else [])
        values = {"list_ids": list_ids, "at": self.moment}
        if wanted_terms:
            values["term_ids"] = sorted(wanted_terms)
        if wanted_resources:
            values["resource_term_ids"] = sorted(wanted_resources)
        return db.session.execute(_prices_in_effect(bool(wanted_terms), bool(wanted_resources)), values).all()

    def load(self, plan_term_ids: Iterable[int], with_resources: bool = True) -> "PriceBook":
        plan_term_ids = set(plan_term_ids)
        wanted_terms = plan_term_ids - self._terms_loaded
        wanted_resources = plan_term_ids - self._resources_loaded if with_resources else set()
        if not (wanted_terms or wanted_resources):
            return self
        self._terms_loaded |= wanted_terms
        self._resources_loaded |= wanted_resources
        if self._price_lists()[0] is None:
            return self
        rows = self._rows(wanted_terms, wanted_resources)
        self._terms.update(self._combine([r for r in rows if r.resource_id is None], lambda r: r.plan_term_id))
        self._resources.update(
            self._combine([r for r in rows if r.resource_id is not None], lambda r: (r.plan_term_id, r.resource_id))
        )
        return self

    def _combine(self, rows, key) -> dict:
        distributor_list = self._price_lists()[0]
        base = {key(r): r for r in rows if r.price_list_id == distributor_list}
        overrides = {key(r): r for r in rows if r.price_list_id != distributor_list}
        combined = {}
        for item, row in base.items():
            if row.cost is None or row.msrp is None:
                continue
            override = overrides.get(item)
            combined[item] = TierPrices(
                currency=self.currency,
                cost=row.cost,
                msrp=row.msrp,
                customer=customer_price(
                    row.cost,
                    row.msrp,
                    override.amount if override else None,
                    override.markup_bp if override else None,
                ),
            )
        return combined

    def plan_term_tiers(self, plan_term_id: int) -> TierPrices:
        if plan_term_id not in self._terms_loaded:
            self.load([plan_term_id], with_resources=False)
        try:
            return self._terms[plan_term_id]
        except KeyError:
            raise PriceNotSet(f"no price for plan term {plan_term_id} in {self.marketplace.code}") from None

    def resource_tiers(self, plan_term_id: int, resource_id: int) -> TierPrices:
        if plan_term_id not in self._resources_loaded:
            self.load([plan_term_id])
        try:
            return self._resources[(plan_term_id, resource_id)]
        except KeyError:
            raise PriceNotSet(
                f"no price for resource {resource_id} on plan term {plan_term_id} in {self.marketplace.code}"
            ) from None

    def plan_term(self, plan_term_id: int) -> Money:
        """What the viewer pays per billing period for the plan term."""
        return price_for(self.viewer, self.plan_term_tiers(plan_term_id))

    def resource(self, plan_term_id: int, resource_id: int) -> Money:
        """What the viewer pays per unit of the resource above the included quantity."""
        return price_for(self.viewer, self.resource_tiers(plan_term_id, resource_id))

    def has_plan_term(self, plan_term_id: int) -> bool:
        if plan_term_id not in self._terms_loaded:
            self.load([plan_term_id], with_resources=False)
        return plan_term_id in self._terms

    def has_resource(self, plan_term_id: int, resource_id: int) -> bool:
        if plan_term_id not in self._resources_loaded:
            self.load([plan_term_id])
        return (plan_term_id, resource_id) in self._resources

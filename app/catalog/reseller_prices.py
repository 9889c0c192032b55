"""The reseller's prices page (``/reseller/prices``): per plan term and resource of the plans for
customers sold in one of its marketplaces, its cost, the MSRP, its price and margin now, and its
scheduled changes (written by ``app.catalog.price_changes``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import Organisation, OrganisationKind
from app.catalog.models import (
    Audience,
    Marketplace,
    Plan,
    PlanResource,
    PlanTerm,
    PlanTermPrice,
    PriceList,
    Product,
    ResourcePrice,
)
from app.catalog.price_changes import ItemKind, PriceChangeRefused, PriceItem, PriceMode
from app.catalog.pricing import PriceBasis, PriceBook, TierPrices, Viewer
from app.core.errors import RefusalKind
from app.extensions import db
from app.money import Money


@dataclass(frozen=True)
class ScheduledPrice:
    kind: ItemKind
    id: int
    effective_from: datetime
    amount: int | None
    markup_bp: int | None

    @property
    def mode(self) -> PriceMode:
        return PriceMode.AMOUNT if self.amount is not None else PriceMode.MARKUP if self.markup_bp is not None else PriceMode.MSRP


@dataclass(frozen=True)
class PriceLine:
    """One row of the prices page: the item, its tiers now (``None``: not on sale now), how the
    reseller sets its price now, and its scheduled changes, earliest first."""

    item: PriceItem
    tiers: TierPrices | None
    mode: PriceMode
    markup_bp: int | None
    scheduled: list[ScheduledPrice]

    @property
    def below_cost(self) -> bool:
        return self.tiers is not None and self.tiers.customer < self.tiers.cost

    def _money(self, amount: int) -> Money:
        return Money(amount, self.item.marketplace.currency)

    @property
    def cost(self) -> Money | None:
        return self._money(self.tiers.cost) if self.tiers else None

    @property
    def msrp(self) -> Money | None:
        return self._money(self.tiers.msrp) if self.tiers else None

    @property
    def customer(self) -> Money | None:
        return self._money(self.tiers.customer) if self.tiers else None

    @property
    def margin(self) -> Money | None:
        return self.tiers.margin if self.tiers else None

    def describe(self, mode: PriceMode, amount: int | None, markup_bp: int | None) -> str:
        """"$12.00", "25 % markup" or "MSRP", in the marketplace's locale."""
        if mode is PriceMode.AMOUNT:
            return self._money(amount).format(self.item.marketplace.locale)
        if mode is PriceMode.MARKUP:
            return f"{Decimal(markup_bp) / 100:f} % markup"
        return "MSRP"


@dataclass(frozen=True)
class PricePage:
    marketplace: Marketplace
    marketplaces: list[Marketplace]
    lines: list[PriceLine]
    pagination: object  # db.paginate's result over plan terms
    query: str


def reseller_marketplaces(reseller: Organisation) -> list[Marketplace]:
    """Where the reseller sells: its own marketplace, its customers' and those it has a list in."""
    own_and_customers = select(Organisation.marketplace_id).where(
        (Organisation.id == reseller.id) | (Organisation.parent_id == reseller.id))
    with_list = select(PriceList.marketplace_id).where(PriceList.seller_id == reseller.id)
    return list(db.session.scalars(
        select(Marketplace).where(Marketplace.id.in_(own_and_customers) | Marketplace.id.in_(with_list))
        .order_by(Marketplace.position, Marketplace.code)))


def price_page(reseller: Organisation, marketplace_id: int | None, query: str, page: int, per_page: int,
               now: datetime) -> PricePage:
    """A page of the plan terms for customers sold in one of the reseller's marketplaces (those
    on the distributor's list), searched by product or plan name, each with its resources: cost,
    MSRP, the reseller's price and margin now, and its scheduled changes. A fixed number of
    queries whatever the page: the terms, their plans' resources, the prices (one statement),
    the reseller's dated rows (one per table)."""
    marketplaces = reseller_marketplaces(reseller)
    if not marketplaces:
        raise PriceChangeRefused("Your organisation has no marketplace yet.", kind=RefusalKind.CONFLICT)
    marketplace = next((m for m in marketplaces if m.id == marketplace_id), marketplaces[0])
    distributor_terms = (
        select(PlanTermPrice.plan_term_id)
        .join(PriceList, PriceList.id == PlanTermPrice.price_list_id)
        .join(Organisation, Organisation.id == PriceList.seller_id)
        .where(PriceList.marketplace_id == marketplace.id, Organisation.kind == OrganisationKind.DISTRIBUTOR.value)
    )
    statement = (
        select(PlanTerm).join(Plan, Plan.id == PlanTerm.plan_id).join(Product, Product.id == Plan.product_id)
        .where(Plan.audience == Audience.CUSTOMER.value, Plan.published.is_(True), Product.published.is_(True))
        .where(PlanTerm.id.in_(distributor_terms))
        .options(joinedload(PlanTerm.plan).options(
            joinedload(Plan.product), selectinload(Plan.resources).joinedload(PlanResource.resource)))
        .order_by(Product.name, Plan.name, PlanTerm.period_months, PlanTerm.id)
    )
    query = (query or "").strip()[:100]
    if query:
        pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(func.lower(Product.name).like(pattern, escape="\\"),
                                        func.lower(Plan.name).like(pattern, escape="\\")))
    pagination = db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)
    terms = list(pagination.items)
    book = PriceBook(Viewer(PriceBasis.RESELLER_PRICE, reseller.id), marketplace, at=now).load(t.id for t in terms)
    own = _own_rows(reseller, marketplace, [t.id for t in terms])
    lines = [_line(item, book, own, now) for term in terms for item in items_of(marketplace, term)]
    return PricePage(marketplace, marketplaces, lines, pagination, query)


def items_of(marketplace: Marketplace, term: PlanTerm) -> list[PriceItem]:
    """The plan term and each of its plan's resources."""
    return [PriceItem(marketplace, term)] + [PriceItem(marketplace, term, pr) for pr in term.plan.resources]


def price_line(reseller: Organisation, item: PriceItem, now: datetime) -> PriceLine:
    """One item's line, as the prices page shows it (for the page that changes it)."""
    book = PriceBook(Viewer(PriceBasis.RESELLER_PRICE, reseller.id), item.marketplace, at=now).load([item.plan_term.id])
    return _line(item, book, _own_rows(reseller, item.marketplace, [item.plan_term.id]), now)


def _line(item: PriceItem, book: PriceBook, own: dict, now: datetime) -> PriceLine:
    term_id, resource_id = item.plan_term.id, item.resource_id
    on_sale = book.has_plan_term(term_id) if resource_id is None else book.has_resource(term_id, resource_id)
    tiers = None
    if on_sale:
        tiers = book.plan_term_tiers(term_id) if resource_id is None else book.resource_tiers(term_id, resource_id)
    rows = own.get((term_id, resource_id), [])
    current = next((row for row in reversed(rows) if row.effective_from <= now), None)
    scheduled = [ScheduledPrice(item.kind, row.id, row.effective_from, row.amount, row.markup_bp)
                 for row in rows if row.effective_from > now]
    mode = (PriceMode.MSRP if current is None or (current.amount is None and current.markup_bp is None)
            else PriceMode.AMOUNT if current.amount is not None else PriceMode.MARKUP)
    return PriceLine(item, tiers, mode, current.markup_bp if current is not None else None, scheduled)


def _own_rows(reseller: Organisation, marketplace: Marketplace, term_ids: list[int]) -> dict:
    """The reseller's dated rows for these terms, per (plan term, resource or None), oldest first."""
    found: dict = {}
    if not term_ids:
        return found
    for model in (PlanTermPrice, ResourcePrice):
        resource = model.resource_id if model is ResourcePrice else None
        columns = [model.id, model.plan_term_id, model.effective_from, model.amount, model.markup_bp]
        rows = db.session.execute(
            select(*columns, *([resource] if resource is not None else []))
            .join(PriceList, PriceList.id == model.price_list_id)
            .where(PriceList.seller_id == reseller.id, PriceList.marketplace_id == marketplace.id)
            .where(model.plan_term_id.in_(term_ids))
            .order_by(model.effective_from)
        ).all()
        for row in rows:
            key = (row.plan_term_id, row.resource_id if resource is not None else None)
            found.setdefault(key, []).append(row)
    return found

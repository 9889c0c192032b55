"""Read side of the storefront: which products, plans and prices a viewer sees in a marketplace.

Every function here makes a fixed number of queries whatever the catalog's size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.catalog.models import (
    Category,
    Marketplace,
    PaymentModel,
    Plan,
    PlanResource,
    PlanTerm,
    PlanTermPrice,
    PriceList,
    Product,
)
from app.catalog.pricing import PriceBook, PriceNotSet, Viewer
from app.accounts.models import Organisation, OrganisationKind
from app.core.clock import current_now
from app.extensions import db
from app.money import Money, round_half_up


def marketplaces() -> list[Marketplace]:
    return list(db.session.scalars(select(Marketplace).order_by(Marketplace.position, Marketplace.code)))


def sold_in(marketplace: Marketplace):
    """A condition on ``Plan``: the plan has a term priced now on the distributor's list of
    ``marketplace`` (the price in effect now, by its date: ``app.catalog.pricing``, and not one
    taken off the list). A correlated EXISTS: a page of plans or products stops after the page
    instead of first collecting every priced plan."""
    distributor_list = (
        select(PriceList.id)
        .join(Organisation, Organisation.id == PriceList.seller_id)
        .where(PriceList.marketplace_id == marketplace.id)
        .where(Organisation.kind == OrganisationKind.DISTRIBUTOR.value)
        .scalar_subquery()
    )
    now = current_now()
    later = aliased(PlanTermPrice)
    superseded = (
        select(later.id)
        .where(later.price_list_id == PlanTermPrice.price_list_id, later.plan_term_id == PlanTermPrice.plan_term_id)
        .where(later.effective_from > PlanTermPrice.effective_from, later.effective_from <= now)
        .exists()
    )
    return (
        select(PlanTermPrice.id)
        .join(PlanTerm, PlanTerm.id == PlanTermPrice.plan_term_id)
        .where(PlanTerm.plan_id == Plan.id, PlanTermPrice.price_list_id == distributor_list)
        .where(PlanTermPrice.effective_from <= now, PlanTermPrice.cost.is_not(None), ~superseded)
        .exists()
    )


def _listed(marketplace: Marketplace, audiences: tuple[str, ...]):
    """A condition on ``Product``: it is published with a published plan for one of
    ``audiences`` sold in ``marketplace`` (``sold_in``)."""
    listed_plan = (
        select(Plan.id)
        .where(Plan.product_id == Product.id, Plan.published.is_(True), Plan.audience.in_(audiences))
        .where(sold_in(marketplace))
    )
    return Product.published.is_(True) & listed_plan.exists()


def listed_category_ids(marketplace: Marketplace, viewer: Viewer) -> set[int]:
    """The categories holding a product the viewer is shown (``catalog_page``'s), in one query."""
    return set(db.session.scalars(select(Product.category_id).where(_listed(marketplace, viewer.kind.listed)).distinct()))


@dataclass
class ProductCard:
    """A product in a listing with the least the viewer can pay for it, per month."""

    product: Product
    from_price: Money | None = None  # monthly equivalent of the cheapest minimum order
    from_term: PlanTerm | None = None  # the term that gives it (billed monthly, yearly, ...)
    from_unit: str = ""  # a postpaid plan's: the price is per this unit, per month


@dataclass
class CatalogPage:
    cards: list[ProductCard]
    total: int
    page: int
    pages: int
    query: str = ""
    category: Category | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def catalog_page(
    marketplace: Marketplace,
    viewer: Viewer,
    *,
    category: Category | None = None,
    query: str = "",
    page: int = 1,
    per_page: int = 24,
) -> CatalogPage:
    """Published products sold in the marketplace with a plan the viewer may buy
    (``app.catalog.eligibility``; every plan to a visitor), filtered by category (and its children) and
    by a name search, each with the lowest price the viewer would pay per month. ``category``
    may be a row or a snapshot (``app.catalog.reference.CategoryInfo``): its ``id`` and
    ``children`` are read."""
    audiences = viewer.kind.listed  # a product with nothing the viewer may buy is not listed
    conditions = [_listed(marketplace, audiences)]
    if category is not None:
        category_ids = [category.id] + [child.id for child in category.children]
        conditions.append(Product.category_id.in_(category_ids))
    query = query.strip()[:100]
    if query:
        pattern = f"%{_escape_like(query.lower())}%"
        conditions.append(
            or_(
                func.lower(Product.name).like(pattern, escape="\\"),
                func.lower(Product.vendor).like(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(select(func.count(Product.id)).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    products = list(
        db.session.scalars(
            select(Product)
            .where(*conditions)
            .options(
                joinedload(Product.category),
                selectinload(Product.plans).selectinload(Plan.terms),
                selectinload(Product.plans).selectinload(Plan.resources).joinedload(PlanResource.resource),
            )
            .order_by(Product.name, Product.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).unique()
    )
    book = PriceBook(viewer, marketplace)
    book.load(term.id for product in products for plan in product.plans for term in plan.terms)
    cards = [_card(product, book, audiences) for product in products]
    return CatalogPage(cards=cards, total=total, page=page, pages=pages, query=query, category=category)


def _card(product: Product, book: PriceBook, audiences: tuple[str, ...]) -> ProductCard:
    """The cheapest minimum order among the plan terms the viewer may buy, per month."""
    card = ProductCard(product)
    best = None
    for plan in product.plans:
        if not plan.published or plan.audience not in audiences:
            continue
        for term in plan.terms:
            metered = metered_price(plan, term, book)
            minimum = metered.unit_price if metered is not None else minimum_order(plan, term, book)
            if minimum is None:
                continue
            monthly = Fraction(minimum.amount, term.billing_frequency_months)
            if best is None or monthly < best:
                best, card.from_term = monthly, term
                card.from_price = Money(round_half_up(monthly), minimum.currency)
                card.from_unit = metered.plan_resource.resource.unit if metered is not None else ""
    return card


def metered_price(plan: Plan, term: PlanTerm, book: PriceBook) -> AddOn | None:
    """What a postpaid plan without a price of its own is sold at: the price of one unit of
    what it is billed on (its seats, else its first recurring resource), per billing period.
    ``None`` for any other plan, or when that unit is not priced here."""
    if plan.payment_model != PaymentModel.POSTPAID.value or not book.has_plan_term(term.id) or book.plan_term(term.id).amount:
        return None
    recurring = [pr for pr in plan.resources if not pr.resource.is_one_time]
    measured = next((pr for pr in recurring if pr.resource.measures_seats), recurring[0] if recurring else None)
    if measured is None or not book.has_resource(term.id, measured.resource_id):
        return None
    return AddOn(measured, book.resource(term.id, measured.resource_id))


def minimum_order(plan: Plan, term: PlanTerm, book: PriceBook) -> Money | None:
    """What the smallest order of a plan term costs per billing period: the plan's price plus
    the recurring resources a buyer must take above what is included. ``None`` if unpriced."""
    if not book.has_plan_term(term.id):
        return None
    total = book.plan_term(term.id)
    for plan_resource in plan.resources:
        extra = plan_resource.minimum - plan_resource.included
        if extra > 0 and not plan_resource.resource.is_one_time:
            if not book.has_resource(term.id, plan_resource.resource_id):
                return None
            total = total + book.resource(term.id, plan_resource.resource_id) * extra
    return total


def published_product(slug: str) -> Product | None:
    return db.session.scalar(
        select(Product)
        .where(Product.slug == slug, Product.published.is_(True))
        .options(
            joinedload(Product.category),
            selectinload(Product.parameters),
            selectinload(Product.plans).selectinload(Plan.terms),
            selectinload(Product.plans)
            .selectinload(Plan.resources)
            .joinedload(PlanResource.resource),
        )
    )


@dataclass
class AddOn:
    plan_resource: PlanResource
    unit_price: Money


@dataclass
class PlanOffer:
    """A plan as one viewer sees it for one term: its price, what it includes and the add-ons."""

    plan: Plan
    terms: list[PlanTerm]
    term: PlanTerm
    price: Money
    included: list[PlanResource] = field(default_factory=list)
    add_ons: list[AddOn] = field(default_factory=list)
    metered: AddOn | None = None  # a postpaid plan's price per unit (``metered_price``)


def product_offers(
    product: Product, marketplace: Marketplace, viewer: Viewer, term_code: str | None
) -> dict[str, list[PlanOffer]]:
    """The product's plans by audience (only audiences the viewer may buy), each priced for the
    requested term when the plan offers it, else for its first priced term. Plans without any
    price in this marketplace are left out."""
    book = PriceBook(viewer, marketplace)
    book.load(term.id for plan in product.plans for term in plan.terms)
    offers: dict[str, list[PlanOffer]] = {audience: [] for audience in viewer.kind.listed}
    for plan in product.plans:
        if not plan.published or plan.audience not in offers:
            continue
        priced_terms = [term for term in plan.terms if book.has_plan_term(term.id)]
        if not priced_terms:
            continue
        term = next((t for t in priced_terms if t.code == term_code), priced_terms[0])
        offer = PlanOffer(plan=plan, terms=priced_terms, term=term, price=book.plan_term(term.id),
                          metered=metered_price(plan, term, book))
        for plan_resource in plan.resources:
            if plan_resource.included > 0:
                offer.included.append(plan_resource)
            can_add = plan_resource.maximum > plan_resource.included
            if can_add and book.has_resource(term.id, plan_resource.resource_id):
                offer.add_ons.append(AddOn(plan_resource, book.resource(term.id, plan_resource.resource_id)))
        offers[plan.audience].append(offer)
    return offers


def term_codes(product: Product) -> list[tuple[str, str]]:
    """Distinct (code, name) of the terms any of the product's plans offers, shortest first."""
    seen: dict[str, tuple[int, str]] = {}
    for plan in product.plans:
        for term in plan.terms:
            seen.setdefault(term.code, (term.period_months, term.name))
    return [(code, name) for code, (_, name) in sorted(seen.items(), key=lambda item: item[1][0])]


__all__ = ["PriceNotSet", "catalog_page", "product_offers", "published_product"]

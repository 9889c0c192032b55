"""Read side of a panel's marketplace: the plans for customers a buyer may order in its own
marketplace, at its own prices (``app.catalog.pricing``), by category. Reads only, in a fixed
number of queries whatever the catalog's size. Whether a chosen line may really be ordered is
the checkout's validation (``app.orders.validation``), not this module's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.catalog.models import Audience, Category, Plan, PlanResource, Product, Resource
from app.catalog.pricing import PriceBook, viewer_for
from app.catalog.queries import AddOn, PlanOffer, minimum_order, sold_in
from app.extensions import db


@dataclass
class MarketplaceOffer(PlanOffer):
    """A plan offer with the price of each of its priced terms (per billing period)."""

    term_prices: dict = field(default_factory=dict)


@dataclass
class CategoryOffers:
    """A category with the plan offers in it, each priced for its first priced term."""

    category: Category
    offers: list[MarketplaceOffer] = field(default_factory=list)


def _customer_plans(audience: str = Audience.CUSTOMER.value):
    return (
        select(Plan)
        .join(Product, Product.id == Plan.product_id)
        .where(Plan.audience == audience, Plan.published.is_(True), Product.published.is_(True),
               Product.renewal_upgrade_only.is_(False))
        .options(
            joinedload(Plan.product).joinedload(Product.category),
            joinedload(Plan.product).selectinload(Product.parameters),
            selectinload(Plan.terms),
            selectinload(Plan.resources).joinedload(PlanResource.resource).joinedload(Resource.category),
        )
    )


def _offer(plan: Plan, book: PriceBook, term_id: int | None = None) -> MarketplaceOffer | None:
    """``plan`` priced for term ``term_id`` (else its first priced term); None when unpriced."""
    priced_terms = [term for term in plan.terms if minimum_order(plan, term, book) is not None]
    if not priced_terms:
        return None
    term = next((t for t in priced_terms if t.id == term_id), priced_terms[0])
    offer = MarketplaceOffer(plan=plan, terms=priced_terms, term=term, price=book.plan_term(term.id),
                             term_prices={t.id: book.plan_term(t.id) for t in priced_terms})
    for plan_resource in plan.resources:
        if plan_resource.included > 0:
            offer.included.append(plan_resource)
        if plan_resource.maximum > plan_resource.included and book.has_resource(term.id, plan_resource.resource_id):
            offer.add_ons.append(AddOn(plan_resource, book.resource(term.id, plan_resource.resource_id)))
    return offer


def customer_offers(organisation, marketplace) -> list[CategoryOffers]:
    """The published plans for customers sold in ``marketplace`` at ``organisation``'s prices
    (its reseller's customer price, or the MSRP for a direct customer of the distributor),
    grouped by category in name order; plans without a price there are left out."""
    plans = list(db.session.scalars(_customer_plans().order_by(Product.name, Plan.position, Plan.id)).unique())
    book = PriceBook(viewer_for(organisation), marketplace).load(term.id for plan in plans for term in plan.terms)
    groups: dict[int, CategoryOffers] = {}
    for plan in plans:
        offer = _offer(plan, book)
        if offer is not None:
            category = plan.product.category
            groups.setdefault(category.id, CategoryOffers(category)).offers.append(offer)
    return sorted(groups.values(), key=lambda group: (group.category.position, group.category.name))


def customer_offer(plan_id: int, organisation, marketplace, term_id: int | None = None) -> MarketplaceOffer | None:
    """One plan for customers as ``customer_offers`` shows it, priced for ``term_id`` when it
    is one of its priced terms; None when it is not offered (unpublished, not for customers,
    or not priced in ``marketplace``)."""
    return plan_offer(plan_id, organisation, marketplace, Audience.CUSTOMER.value, term_id)


def plan_offer(plan_id: int, organisation, marketplace, audience: str, term_id: int | None = None) -> MarketplaceOffer | None:
    """One plan of ``audience`` at ``organisation``'s prices, priced for ``term_id`` when it is
    one of its priced terms; None when it is not offered (unpublished, of another audience,
    "renewal and upgrade only", or not priced in ``marketplace``)."""
    plan = db.session.scalars(_customer_plans(audience).where(Plan.id == plan_id)).unique().one_or_none()
    if plan is None:
        return None
    book = PriceBook(viewer_for(organisation), marketplace).load(term.id for term in plan.terms)
    return _offer(plan, book, term_id)


SEARCH_MAX = 100


def plan_offers_page(organisation, marketplace, audience: str, search: str = "", page: int = 1, per_page: int = 12):
    """A page of the published plans of ``audience`` sold in ``marketplace`` whose plan,
    product or vendor name contains ``search`` (case-insensitive), in product then plan order,
    each priced at ``organisation``'s prices for its first priced term: a ``db.paginate`` result
    whose ``offers`` hold the priced offers of its ``items``. Four queries whatever the
    catalog's size (count, rows, their collections, prices)."""
    statement = _customer_plans(audience).where(sold_in(marketplace))
    words = search.strip()[:SEARCH_MAX]
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(Plan.name.ilike(pattern, escape="\\"), Product.name.ilike(pattern, escape="\\"),
                                        Product.vendor.ilike(pattern, escape="\\")))
    result = db.paginate(statement.order_by(Product.name, Plan.position, Plan.id), page=page, per_page=per_page,
                         error_out=False, count=True)
    book = PriceBook(viewer_for(organisation), marketplace).load(term.id for plan in result.items for term in plan.terms)
    result.offers = [offer for offer in (_offer(plan, book) for plan in result.items) if offer is not None]
    return result

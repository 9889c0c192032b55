"""/api/v1/catalog: the products and plans the organisation may order, with their terms,
resources, ordering parameters and prices at the organisation's own prices
(``app.catalog.pricing.PriceBook``): a reseller sees its cost (and what its customers pay), a
customer its reseller's price. Plans for resellers are listed to resellers only."""
from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.access import acting_organisation
from app.api.common import ListArgs, MoneySchema, list_schema, money, page
from app.api.errors import abort_api
from app.api.framework import api_blueprint
from app.catalog.eligibility import buyable_audiences
from app.catalog.models import Plan, PlanResource, Product
from app.catalog.pricing import PriceBook, viewer_for
from app.catalog.reference import all_marketplaces

bp = api_blueprint("catalog", "/catalog", "The catalog at your prices: products, plans, terms, resources.")
MAX_ID = 2**31 - 1


class ProductSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    vendor = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    category = ma.fields.String(required=True)


class TierSchema(ma.Schema):
    price = ma.fields.Nested(MoneySchema, required=True, metadata={"description": "What you pay."})
    msrp = ma.fields.Nested(MoneySchema, metadata={"description": "Resellers: the suggested retail price."})
    customer_price = ma.fields.Nested(MoneySchema, metadata={"description": "Resellers: what your customers pay."})


class ResourcePriceSchema(TierSchema):
    resource_code = ma.fields.String(required=True)


class TermSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    period_months = ma.fields.Integer(required=True)
    billing_frequency_months = ma.fields.Integer(required=True)
    price = ma.fields.Nested(TierSchema, allow_none=True, required=True,
                             metadata={"description": "Per billing period; null: not sold in your marketplace."})
    resource_prices = ma.fields.List(ma.fields.Nested(ResourcePriceSchema), required=True,
                                     metadata={"description": "Per unit above the included quantity."})


class PlanResourceSchema(ma.Schema):
    resource_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "recurring or one_time"})
    included = ma.fields.Integer(required=True)
    minimum = ma.fields.Integer(required=True)
    maximum = ma.fields.Integer(required=True)
    step = ma.fields.Integer(required=True)
    customer_changeable = ma.fields.Boolean(required=True)


class ParameterSchema(ma.Schema):
    key = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    required = ma.fields.Boolean(required=True)
    default = ma.fields.String(required=True)
    choices = ma.fields.List(ma.fields.String(), required=True)


class PlanSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    product_id = ma.fields.Integer(required=True)
    product_name = ma.fields.String(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    audience = ma.fields.String(required=True, metadata={"description": "reseller (its own use) or customer"})
    kind = ma.fields.String(required=True)
    payment_model = ma.fields.String(required=True)
    postponed_billing_allowed = ma.fields.Boolean(required=True)
    terms = ma.fields.List(ma.fields.Nested(TermSchema), required=True)
    resources = ma.fields.List(ma.fields.Nested(PlanResourceSchema), required=True)
    parameters = ma.fields.List(ma.fields.Nested(ParameterSchema), required=True)


class PlanListArgs(ListArgs):
    product_id = ma.fields.Integer(validate=ma.validate.Range(1, MAX_ID))


ProductList = list_schema(ProductSchema, "ProductList")
PlanList = list_schema(PlanSchema, "PlanList")


def _audiences() -> tuple[str, ...]:
    return buyable_audiences(acting_organisation())  # the one rule: app.catalog.eligibility


def _plans():
    return (select(Plan).join(Product, Product.id == Plan.product_id)
            .where(Plan.published.is_(True), Product.published.is_(True), Plan.audience.in_(_audiences()))
            .options(joinedload(Plan.product).selectinload(Product.parameters), selectinload(Plan.terms),
                     selectinload(Plan.resources).joinedload(PlanResource.resource)))


def _book(plans) -> PriceBook | None:
    organisation = acting_organisation()
    marketplace = all_marketplaces().by_id.get(organisation.marketplace_id)
    if marketplace is None:
        return None
    return PriceBook(viewer_for(organisation), marketplace).load(term.id for plan in plans for term in plan.terms)


def _tier(book: PriceBook, tiers, price) -> dict:
    tier = {"price": money(price.amount, price.currency)}
    if acting_organisation().acts_as_reseller:
        tier["msrp"] = money(tiers.msrp, tiers.currency)
        tier["customer_price"] = money(tiers.customer, tiers.currency)
    return tier


def _term(plan: Plan, term, book: PriceBook | None) -> dict:
    priced = book is not None and book.has_plan_term(term.id)
    resource_prices = []
    for row in plan.resources if priced else ():
        if book.has_resource(term.id, row.resource_id):
            resource_prices.append({"resource_code": row.resource.code, **_tier(
                book, book.resource_tiers(term.id, row.resource_id), book.resource(term.id, row.resource_id))})
    return {"id": term.id, "code": term.code, "name": term.name, "period_months": term.period_months,
            "billing_frequency_months": term.billing_frequency_months,
            "price": _tier(book, book.plan_term_tiers(term.id), book.plan_term(term.id)) if priced else None,
            "resource_prices": resource_prices}


def present_plan(plan: Plan, book: PriceBook | None) -> dict:
    return {
        "id": plan.id, "product_id": plan.product_id, "product_name": plan.product.name, "code": plan.code,
        "name": plan.name, "audience": plan.audience, "kind": plan.kind, "payment_model": plan.payment_model,
        "postponed_billing_allowed": plan.postponed_billing_allowed,
        "terms": [_term(plan, term, book) for term in plan.terms],
        "resources": [{"resource_id": row.resource_id, "code": row.resource.code, "name": row.resource.name,
                       "unit": row.resource.unit, "kind": row.resource.kind, "included": row.included,
                       "minimum": row.minimum, "maximum": row.maximum, "step": row.step,
                       "customer_changeable": row.customer_changeable} for row in plan.resources],
        "parameters": [{"key": p.key, "label": p.label, "kind": p.kind, "required": p.required, "default": p.default,
                        "choices": [str(choice[0]) if isinstance(choice, (list, tuple)) else str(choice)
                                    for choice in p.choices or []]} for p in plan.product.parameters],
    }


@bp.route("/products", methods=["GET"])
@bp.arguments(ListArgs, location="query")
@bp.response(200, ProductList)
def list_products(args):
    """Published products with at least one plan you may order."""
    with_plans = select(Plan.product_id).where(Plan.published.is_(True), Plan.audience.in_(_audiences()))
    statement = (select(Product).options(joinedload(Product.category))
                 .where(Product.published.is_(True), Product.id.in_(with_plans)))
    rows, has_more = page(statement, Product.id, args)
    return {"data": [{"id": p.id, "slug": p.slug, "name": p.name, "vendor": p.vendor, "summary": p.summary,
                      "category": p.category.name} for p in rows], "has_more": has_more}


@bp.route("/plans", methods=["GET"])
@bp.arguments(PlanListArgs, location="query")
@bp.response(200, PlanList)
def list_plans(args):
    """Plans you may order, each with its terms and prices."""
    statement = _plans()
    if "product_id" in args:
        statement = statement.where(Plan.product_id == args["product_id"])
    rows, has_more = page(statement, Plan.id, args)
    book = _book(rows)
    return {"data": [present_plan(plan, book) for plan in rows], "has_more": has_more}


@bp.route("/plans/<int:plan_id>", methods=["GET"])
@bp.response(200, PlanSchema)
def get_plan(plan_id):
    """One plan you may order."""
    plan = next(iter(page(_plans().where(Plan.id == plan_id), Plan.id, {"limit": 1})[0]), None)
    if plan is None:
        abort_api(404, "That plan was not found.")
    return present_plan(plan, _book([plan]))

"""The distributor's catalog edits (the back office's catalog pages call these, nothing else).

Each function validates everything first and raises ``CatalogEditRefused`` with a message for
the person editing, naming the field (``field``), before it changes anything; it then writes
the rows and flushes, in the caller's transaction. Prices are not edited here: they belong to
the price lists. The storefront cache is bumped by ``app.catalog.invalidation`` after commit.

What an edit means for running subscriptions: none is touched. A plan unpublished leaves the
storefront but its subscriptions live on; new terms text gets the next ``terms_version``, so
the next checkout asks for the new acceptance and earlier acceptances keep the version they
accepted.
"""
from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select

from app.catalog.models import (Audience, Category, OrderingParameter, ParameterKind, PaymentModel, Plan, PlanKind,
                                PlanResource, PlanTerm, Product, Resource, ResourceCategory, ResourceKind)
from app.catalog.parameters import ParameterInvalid, clean_value
from app.core.errors import Refusal, RefusalKind
from app.extensions import db

CODE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
PARAMETER_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
SETTINGS_MAX_CHARACTERS = 5000
LONGEST_TERM_MONTHS = 60
LARGEST_QUANTITY = 1_000_000


class CatalogEditRefused(Refusal, ValueError):
    """The edit cannot be saved as it is; ``field`` names the form field at fault."""

    kind = RefusalKind.INVALID

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _text(value: str | None, field: str, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise CatalogEditRefused(f"Enter the {label}.", field)
    if len(value) > limit:
        raise CatalogEditRefused(f"The {label} is too long: use at most {limit} characters.", field)
    return value


def _code(value: str | None, field: str, label: str = "code") -> str:
    value = (value or "").strip().lower()
    if not CODE.match(value):
        raise CatalogEditRefused(f"Use lower-case letters, digits and inner hyphens for the {label} (at most 80).", field)
    return value


def _choice(value: str | None, allowed: Collection[str], field: str, label: str) -> str:
    if value not in allowed:
        raise CatalogEditRefused(f"Choose a {label} from the list.", field)
    return value


def _whole(value, field: str, label: str, minimum: int = 0, maximum: int = LARGEST_QUANTITY) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise CatalogEditRefused(f"Enter the {label} as a whole number.", field) from None
    if not minimum <= number <= maximum:
        raise CatalogEditRefused(f"The {label} must be between {minimum} and {maximum}.", field)
    return number


def next_terms_version(version: str) -> str:
    """"1" -> "2"; a dated or named version ("2026-01") gets a revision suffix ("2026-01.2")."""
    if version.isdigit():
        return str(int(version) + 1)
    base, _, revision = version.rpartition(".")
    if base and revision.isdigit():
        return f"{base}.{int(revision) + 1}"
    return f"{version}.2"[:20]


def parse_settings(raw: str | None) -> dict:
    """A connector's settings, written as a JSON object."""
    raw = (raw or "").strip() or "{}"
    if len(raw) > SETTINGS_MAX_CHARACTERS:
        raise CatalogEditRefused(f"The settings are too long: at most {SETTINGS_MAX_CHARACTERS} characters.", "connector_settings")
    try:
        settings = json.loads(raw)
    except json.JSONDecodeError as error:
        raise CatalogEditRefused(f"The settings are not valid JSON (line {error.lineno}, column {error.colno}).",
                                 "connector_settings") from None
    if not isinstance(settings, dict):
        raise CatalogEditRefused("The settings must be a JSON object, such as {\"url\": \"...\"}.", "connector_settings")
    return settings


@dataclass(frozen=True)
class ProductFields:
    name: str
    slug: str
    vendor: str
    summary: str
    description: str
    category_id: int | None
    connector: str
    connector_settings: str  # JSON text
    terms_text: str
    renewal_upgrade_only: bool = False


def save_product(product: Product | None, fields: ProductFields, connectors: Collection[str]) -> Product:
    """Creates (``product`` None, unpublished until its plans are ready) or updates a product."""
    name = _text(fields.name, "name", "name", 200)
    slug = _code(fields.slug, "slug", "address name")
    vendor = _text(fields.vendor, "vendor", "vendor", 150)
    summary = _text(fields.summary, "summary", "summary", 300, required=False)
    description = _text(fields.description, "description", "description", 20_000, required=False)
    terms_text = _text(fields.terms_text, "terms_text", "terms", 100_000, required=False)
    if fields.category_id is None or db.session.get(Category, fields.category_id) is None:
        raise CatalogEditRefused("Choose a category from the list.", "category_id")
    connector = _choice(fields.connector, connectors, "connector", "connector")
    settings = parse_settings(fields.connector_settings)
    taken = db.session.scalar(select(Product.id).where(Product.slug == slug))
    if taken is not None and (product is None or taken != product.id):
        raise CatalogEditRefused(f"Another product already uses the address name {slug}.", "slug")
    if product is None:
        product = Product(published=False, terms_version="1", terms_text=terms_text)
        db.session.add(product)
    elif terms_text != (product.terms_text or ""):
        product.terms_version = next_terms_version(product.terms_version or "1")
    product.name, product.slug, product.vendor, product.summary, product.description = name, slug, vendor, summary, description
    product.category_id, product.connector, product.connector_settings = fields.category_id, connector, settings
    product.terms_text, product.renewal_upgrade_only = terms_text, bool(fields.renewal_upgrade_only)
    db.session.flush()
    return product


def set_published(item: Product | Plan, published: bool) -> None:
    """Shows (or hides) a product or plan in the storefront and panels' catalogs. A product is
    published only with at least one published plan that has a term."""
    if published and isinstance(item, Product):
        sellable = db.session.scalar(select(func.count(PlanTerm.id)).join(Plan).where(
            Plan.product_id == item.id, Plan.published.is_(True)))
        if not sellable:
            raise CatalogEditRefused("Publish a plan with at least one term first: an empty product cannot be sold.")
    if published and isinstance(item, Plan) and not item.terms:
        raise CatalogEditRefused("Add a term to the plan first: a plan without terms cannot be sold.")
    item.published = published
    db.session.flush()


@dataclass(frozen=True)
class PlanFields:
    code: str
    name: str
    description: str
    audience: str
    kind: str
    payment_model: str
    postponed_billing_allowed: bool = False


def save_plan(product: Product, plan: Plan | None, fields: PlanFields) -> Plan:
    """Creates (unpublished until it has terms) or updates a plan of ``product``. A plan's
    audience, kind and payment model are fixed once it exists: subscriptions rely on them."""
    code = _code(fields.code, "code")
    name = _text(fields.name, "name", "name", 200)
    description = _text(fields.description, "description", "description", 20_000, required=False)
    taken = db.session.scalar(select(Plan.id).where(Plan.product_id == product.id, Plan.code == code))
    if taken is not None and (plan is None or taken != plan.id):
        raise CatalogEditRefused(f"This product already has a plan with the code {code}.", "code")
    if plan is None:
        audience = _choice(fields.audience, [a.value for a in Audience], "audience", "audience")
        kind = _choice(fields.kind, [k.value for k in PlanKind], "kind", "kind")
        payment_model = _choice(fields.payment_model, [m.value for m in PaymentModel], "payment_model", "payment model")
        position = db.session.scalar(select(func.count(Plan.id)).where(Plan.product_id == product.id)) or 0
        plan = Plan(product=product, audience=audience, kind=kind, payment_model=payment_model, published=False,
                    position=position)
        db.session.add(plan)
    plan.code, plan.name, plan.description = code, name, description
    plan.postponed_billing_allowed = bool(fields.postponed_billing_allowed)
    db.session.flush()
    return plan


def add_term(plan: Plan, code: str, name: str, period_months, billing_frequency_months) -> PlanTerm:
    """Offers ``plan`` for a new period, billed every ``billing_frequency_months`` (which must
    divide the period). It is sold once the price list prices it."""
    code = _code(code, "term_code", "term code")[:30]
    name = _text(name, "term_name", "term name", 100)
    period = _whole(period_months, "period_months", "period in months", 1, LONGEST_TERM_MONTHS)
    billing = _whole(billing_frequency_months, "billing_frequency_months", "billing frequency in months", 1, period)
    if period % billing:
        raise CatalogEditRefused("The billing frequency must divide the period (a 12-month term billed every 1, 3, 6 or 12 months).",
                                 "billing_frequency_months")
    if any(term.code == code for term in plan.terms):
        raise CatalogEditRefused(f"This plan already has a term with the code {code}.", "term_code")
    term = PlanTerm(plan=plan, code=code, name=name, period_months=period, billing_frequency_months=billing)
    db.session.add(term)
    db.session.flush()
    return term


@dataclass(frozen=True)
class LimitFields:
    included: object
    minimum: object
    maximum: object
    step: object
    customer_changeable: bool = True


def save_plan_resource(plan: Plan, resource_id: int | None, fields: LimitFields) -> PlanResource:
    """Sets the limits of a resource on ``plan`` (adding the resource when the plan lacks it):
    0 <= minimum <= included <= maximum, a positive step. A single-user plan's seats stay at one.
    Running subscriptions keep their quantities; the new limits apply to their next change."""
    resource = db.session.get(Resource, resource_id) if resource_id else None
    if resource is None:
        raise CatalogEditRefused("Choose a resource from the list.", "resource_id")
    included = _whole(fields.included, "included", "included quantity")
    minimum = _whole(fields.minimum, "minimum", "minimum")
    maximum = _whole(fields.maximum, "maximum", "maximum")
    step = _whole(fields.step, "step", "step", 1)
    if not minimum <= maximum:
        raise CatalogEditRefused("The maximum must be at least the minimum.", "maximum")
    if not minimum <= included <= maximum:
        raise CatalogEditRefused("The included quantity must lie between the minimum and the maximum.", "included")
    if plan.kind == PlanKind.SINGLE_USER.value and resource.measures_seats and (minimum, included, maximum) != (1, 1, 1):
        raise CatalogEditRefused("A single-user plan holds exactly one seat: minimum, included and maximum are 1.", "included")
    row = next((existing for existing in plan.resources if existing.resource_id == resource.id), None)
    if row is None:
        row = PlanResource(plan=plan, resource=resource, position=len(plan.resources))
        db.session.add(row)
    row.included, row.minimum, row.maximum, row.step = included, minimum, maximum, step
    row.customer_changeable = bool(fields.customer_changeable)
    db.session.flush()
    return row


@dataclass(frozen=True)
class ResourceFields:
    code: str
    name: str
    unit: str
    kind: str
    category_name: str
    measures_seats: bool = False


def save_resource(resource: Resource | None, fields: ResourceFields) -> Resource:
    """Creates or renames a resource; its kind and whether it counts seats are fixed once it exists."""
    code = _code(fields.code, "code")
    name = _text(fields.name, "name", "name", 200)
    unit = _text(fields.unit, "unit", "unit", 30)
    category_name = _text(fields.category_name, "category_name", "resource category", 150)
    taken = db.session.scalar(select(Resource.id).where(Resource.code == code))
    if taken is not None and (resource is None or taken != resource.id):
        raise CatalogEditRefused(f"Another resource already uses the code {code}.", "code")
    category = db.session.scalar(select(ResourceCategory).where(ResourceCategory.name == category_name))
    if category is None:
        category = ResourceCategory(name=category_name)
        db.session.add(category)
    if resource is None:
        kind = _choice(fields.kind, [k.value for k in ResourceKind], "kind", "kind")
        resource = Resource(kind=kind, measures_seats=bool(fields.measures_seats) and kind == ResourceKind.RECURRING.value)
        db.session.add(resource)
    resource.code, resource.name, resource.unit, resource.category = code, name, unit, category
    db.session.flush()
    return resource


@dataclass(frozen=True)
class ParameterFields:
    key: str
    label: str
    kind: str
    required: bool
    default: str
    choices: str  # one "value|label" per line, for a choice
    max_length: object
    help_text: str


def _choices(raw: str, kind: str) -> list[list[str]]:
    if kind != ParameterKind.CHOICE.value:
        return []
    choices = []
    for number, line in enumerate((raw or "").splitlines(), start=1):
        if not line.strip():
            continue
        value, _, label = line.partition("|")
        value, label = value.strip(), (label.strip() or value.strip())
        if not value or len(value) > 100 or len(label) > 100:
            raise CatalogEditRefused(f"Choice line {number}: write value|label, each at most 100 characters.", "choices")
        if value in (choice[0] for choice in choices):
            raise CatalogEditRefused(f"Choice line {number}: the value {value} is listed twice.", "choices")
        choices.append([value, label])
    if not choices:
        raise CatalogEditRefused("List at least one choice, one value|label per line.", "choices")
    return choices


def save_parameter(product: Product, parameter: OrderingParameter | None, fields: ParameterFields) -> OrderingParameter:
    """Creates or updates an ordering parameter of ``product``; its default must be a valid value
    of the parameter itself. Orders already placed keep the values they were placed with."""
    key = (fields.key or "").strip()
    if not PARAMETER_KEY.match(key):
        raise CatalogEditRefused("Start the key with a letter; use lower-case letters, digits and underscores (at most 50).", "key")
    label = _text(fields.label, "label", "label", 100)
    kind = _choice(fields.kind, [k.value for k in ParameterKind], "kind", "kind")
    max_length = _whole(fields.max_length, "max_length", "maximum length", 1, 500)
    help_text = _text(fields.help_text, "help_text", "help text", 300, required=False)
    choices = _choices(fields.choices, kind)
    taken = db.session.scalar(select(OrderingParameter.id).where(OrderingParameter.product_id == product.id,
                                                                 OrderingParameter.key == key))
    if taken is not None and (parameter is None or taken != parameter.id):
        raise CatalogEditRefused(f"This product already has a parameter with the key {key}.", "key")
    candidate = OrderingParameter(key=key, label=label, kind=kind, required=False, default="", choices=choices,
                                  max_length=max_length)
    default = (fields.default or "").strip()
    if default:
        try:
            default = clean_value(candidate, default)
        except ParameterInvalid as invalid:
            raise CatalogEditRefused(f"The default is not a valid value: {invalid.message}", "default") from None
    if parameter is None:
        parameter = OrderingParameter(product=product, position=len(product.parameters))
        db.session.add(parameter)
    parameter.key, parameter.label, parameter.kind, parameter.required = key, label, kind, bool(fields.required)
    parameter.default, parameter.choices, parameter.max_length, parameter.help_text = default, choices, max_length, help_text
    db.session.flush()
    return parameter


def delete_parameter(parameter: OrderingParameter) -> None:
    """Stops asking for the parameter in new orders; values on placed orders stay."""
    db.session.delete(parameter)
    db.session.flush()

"""Factories for tests: small, explicit builders of organisations, users and catalog rows."""
from __future__ import annotations

import itertools

from app.accounts.models import BillingInfo, Organisation, User
from app.catalog.models import (
    Category,
    Marketplace,
    OrderingParameter,
    Plan,
    PlanResource,
    PlanTerm,
    PlanTermPrice,
    PriceList,
    Product,
    Resource,
    ResourceCategory,
    ResourcePrice,
)
from app.core.clock import current_now
from app.extensions import db

PASSWORD = "Correct-horse-42"
_sequence = itertools.count(1)
_PASSWORD_HASH = None  # hashing is deliberately slow: hash the shared test password once


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_sequence)}"


def make_marketplace(code="US", currency="USD", tax_rate_bp=1000, locale="en_US", country="US", tax_region=None, **extra) -> Marketplace:
    marketplace = Marketplace(code=code, name=extra.pop("name", code), country=country, currency=currency,
                              locale=locale, tax_rate_bp=tax_rate_bp, tax_region=tax_region, **extra)
    db.session.add(marketplace)
    db.session.flush()
    return marketplace


def make_distributor(name="Distributor", **extra) -> Organisation:
    organisation = Organisation(name=name, kind="distributor", **extra)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_reseller(distributor: Organisation, name=None, reselling_enabled=True, **extra) -> Organisation:
    organisation = Organisation(name=name or unique("Reseller"), kind="reseller", parent=distributor,
                                reselling_enabled=reselling_enabled, **extra)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_customer(reseller: Organisation, name=None, **extra) -> Organisation:
    organisation = Organisation(name=name or unique("Customer"), kind="customer", parent=reseller, **extra)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(organisation: Organisation, email=None, role="admin", password=PASSWORD, **extra) -> User:
    global _PASSWORD_HASH
    extra.setdefault("email_verified_at", current_now())  # pass None for a sign-up that has not verified yet
    user = User(email=email or f"{unique('user')}@example.test", organisation=organisation, role=role, **extra)
    if password == PASSWORD:
        if _PASSWORD_HASH is None:
            user.set_password(password)
            _PASSWORD_HASH = user.password_hash
        user.password_hash = _PASSWORD_HASH
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_billing_info(organisation: Organisation, country="US", tax_id="", **extra) -> BillingInfo:
    info = BillingInfo(organisation=organisation, legal_name=extra.pop("legal_name", organisation.name),
                       address_line1=extra.pop("address_line1", "1 Main Street"), city=extra.pop("city", "Springfield"),
                       postal_code=extra.pop("postal_code", "12345"), country=country, tax_id=tax_id, **extra)
    db.session.add(info)
    db.session.flush()
    return info


def price_list(seller: Organisation, marketplace: Marketplace) -> PriceList:
    existing = db.session.query(PriceList).filter_by(seller_id=seller.id, marketplace_id=marketplace.id).one_or_none()
    if existing:
        return existing
    created = PriceList(seller=seller, marketplace=marketplace)
    db.session.add(created)
    db.session.flush()
    return created


def make_category(name=None, parent=None) -> Category:
    name = name or unique("Category")
    category = Category(slug=name.lower().replace(" ", "-"), name=name, parent=parent)
    db.session.add(category)
    db.session.flush()
    return category


def make_resource(code=None, kind="recurring", measures_seats=False, name=None, unit="unit") -> Resource:
    category = db.session.query(ResourceCategory).first() or ResourceCategory(name="Resources")
    code = code or unique("resource")
    resource = Resource(code=code, name=name or code, kind=kind, measures_seats=measures_seats, category=category, unit=unit)
    db.session.add(resource)
    db.session.flush()
    return resource


def make_product(category: Category | None = None, name=None, published=True, parameters=(), **extra) -> Product:
    name = name or unique("Product")
    product = Product(slug=extra.pop("slug", name.lower().replace(" ", "-")), name=name, vendor=extra.pop("vendor", "Vendor"),
                      category=category or make_category(), published=published, terms_text="Vendor terms", **extra)
    db.session.add(product)
    for position, parameter in enumerate(parameters):
        db.session.add(OrderingParameter(product=product, position=position, **parameter))
    db.session.flush()
    return product


def make_plan(product: Product, *, distributor: Organisation, marketplace: Marketplace, audience="customer",
              kind="organisation", payment_model="prepaid", cost=800, msrp=1000, terms=(("monthly", 1),),
              code=None, postponed_billing_allowed=False) -> Plan:
    """A plan with the given terms (code, months), each priced ``cost``/``msrp`` x months."""
    plan = Plan(product=product, code=code or unique("plan"), name=code or unique("Plan"), audience=audience, kind=kind,
                payment_model=payment_model, postponed_billing_allowed=postponed_billing_allowed)
    db.session.add(plan)
    distributor_list = price_list(distributor, marketplace)
    for term_code, months in terms:
        term = PlanTerm(plan=plan, code=term_code, name=term_code.title(), period_months=months, billing_frequency_months=months)
        db.session.add(term)
        db.session.add(PlanTermPrice(price_list=distributor_list, plan_term=term, cost=cost * months, msrp=msrp * months))
    db.session.flush()
    return plan


def add_plan_resource(plan: Plan, resource: Resource, *, distributor: Organisation, marketplace: Marketplace,
                      included=0, minimum=0, maximum=100, step=1, cost=100, msrp=150, customer_changeable=True) -> PlanResource:
    plan_resource = PlanResource(plan=plan, resource=resource, included=included, minimum=minimum, maximum=maximum,
                                 step=step, customer_changeable=customer_changeable)
    db.session.add(plan_resource)
    distributor_list = price_list(distributor, marketplace)
    for term in plan.terms:
        months = 1 if resource.is_one_time else term.billing_frequency_months
        db.session.add(ResourcePrice(price_list=distributor_list, plan_term=term, resource=resource,
                                     cost=cost * months, msrp=msrp * months))
    db.session.flush()
    return plan_resource


def set_reseller_price(reseller: Organisation, marketplace: Marketplace, plan_term: PlanTerm, *, amount=None, markup_bp=None,
                       resource: Resource | None = None):
    reseller_list = price_list(reseller, marketplace)
    if resource is None:
        row = PlanTermPrice(price_list=reseller_list, plan_term=plan_term, amount=amount, markup_bp=markup_bp)
    else:
        row = ResourcePrice(price_list=reseller_list, plan_term=plan_term, resource=resource, amount=amount, markup_bp=markup_bp)
    db.session.add(row)
    db.session.flush()
    return row


def make_subscription(owner: Organisation, plan: Plan, *, payer: Organisation | None = None, status="active",
                      parameters=None, marketplace: Marketplace | None = None):
    """A subscription of ``owner`` to the plan's first term (paid by ``payer``, default the owner)."""
    from app.plans.models import Subscription

    term = plan.terms[0]
    marketplace = marketplace or owner.marketplace or db.session.query(Marketplace).first()
    subscription = Subscription(owner=owner, payer=payer or owner, plan=plan, plan_term=term, marketplace=marketplace,
                                currency=marketplace.currency, status=status, parameters=parameters or {})
    db.session.add(subscription)
    db.session.flush()
    return subscription


# --- Orders and subscriptions (provisioning) -------------------------------------------------

def make_order(buyer: Organisation, lines=(), *, marketplace: Marketplace | None = None, placed_by: User | None = None,
               number: str | None = None, total: int = 0):
    """A placed order of ``buyer``. Each entry of ``lines`` is a dict: ``plan`` (required),
    ``term`` (code; default the plan's first), ``beneficiary`` (default the buyer), ``quantities``
    ({resource code: quantity}; default each plan resource's included amount), ``parameters``,
    ``kind`` ("purchase", or "change" with ``subscription``). A purchase line gets a pending
    subscription with its resource rows, as the checkout creates them."""
    from app.orders.models import Order, OrderLine
    from app.plans.models import Subscription, SubscriptionResource

    marketplace = marketplace or buyer.marketplace or db.session.query(Marketplace).first()
    order = Order(number=number or unique("ORD-2026"), buyer=buyer, placed_by=placed_by, marketplace=marketplace,
                  currency=marketplace.currency, idempotency_key=unique("order-key"), subtotal=total, total=total)
    db.session.add(order)
    for position, spec in enumerate(lines, start=1):
        plan = spec["plan"]
        term = next(t for t in plan.terms if t.code == spec["term"]) if spec.get("term") else plan.terms[0]
        beneficiary = spec.get("beneficiary", buyer)
        quantities = {pr.resource.code: pr.included for pr in plan.resources}
        quantities.update(spec.get("quantities", {}))
        parameters = dict(spec.get("parameters", {}))
        subscription = spec.get("subscription")
        kind = spec.get("kind", "purchase")
        if kind == "purchase":
            subscription = Subscription(owner=beneficiary, payer=buyer, plan=plan, plan_term=term, marketplace=marketplace,
                                        currency=marketplace.currency, parameters=parameters)
            subscription.resources = [SubscriptionResource(resource=pr.resource, quantity=quantities[pr.resource.code])
                                      for pr in plan.resources]
            db.session.add(subscription)
        db.session.add(OrderLine(order=order, position=position, kind=kind, plan_term=term, beneficiary=beneficiary,
                                 subscription=subscription, description=spec.get("description", f"{plan.name} ({term.name})"),
                                 quantities=quantities, parameters=parameters))
    db.session.flush()
    return order


# --- Invoices (billing) ----------------------------------------------------------------------

def make_invoice(organisation: Organisation, amounts=(1000,), *, status="open", payment_method="on_account", now=None, **extra):
    """An invoice to ``organisation`` with one line per amount, issued by ``create_invoice``."""
    from datetime import datetime

    from app.billing.invoicing import NewInvoiceLine, create_invoice
    from app.billing.models import InvoiceStatus

    currency = organisation.marketplace.currency if organisation.marketplace else "USD"
    lines = [NewInvoiceLine(f"Item {position}", amount, 1, amount) for position, amount in enumerate(amounts, start=1)]
    invoice = create_invoice(organisation, currency, lines, now or datetime(2026, 5, 1, 12, 0), status=InvoiceStatus(status),
                             payment_method=payment_method, **extra)
    db.session.flush()
    return invoice


# --- The reseller programme (seed 003) ---------------------------------------------------------

def make_storefront_product(distributor: Organisation, marketplace: Marketplace, *, standard_cost=8000, standard_msrp=9900):
    """The "Reseller Storefront" product (connector ``reseller_storefront``) with its Free and
    Standard reseller plans, monthly, as the demo seed has it (feature tables included)."""
    from app.core.demo_data import STOREFRONT_FEATURES

    product = make_product(name="Reseller Storefront", slug=unique("reseller-storefront"), connector="reseller_storefront")
    free = make_plan(product, distributor=distributor, marketplace=marketplace, audience="reseller", cost=0, msrp=0, code="free")
    standard = make_plan(product, distributor=distributor, marketplace=marketplace, audience="reseller", cost=standard_cost,
                         msrp=standard_msrp, code="standard")
    free.features = [list(row) for row in STOREFRONT_FEATURES["free"]]
    standard.features = [list(row) for row in STOREFRONT_FEATURES["standard"]]
    db.session.flush()
    return product, free, standard


def make_storefront(reseller: Organisation, *, edition="standard", slug=None, enabled=True, **branding):
    """An open white-label storefront of ``reseller`` (as provisioning leaves it)."""
    from app.accounts.models import Storefront

    storefront = Storefront(organisation_id=reseller.id, slug=slug or unique("shop"), edition=edition, **branding)
    db.session.get(Organisation, reseller.id).storefront_enabled = enabled
    db.session.add(storefront)
    db.session.flush()
    return storefront

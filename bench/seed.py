"""The benchmark's data set, on top of the demo data: 1,000 published products in 20 categories,
each with a customer plan and a reseller plan (monthly and annual terms), priced in every
marketplace with seats and a one-time QuickStart; and 5,000 customers of the demo reseller
("Reseller One LLC", admin@reseller-one.example) holding 20,000 subscriptions, so the demo
reseller's panels show a large book of business (prices locked once provisioned, and up to a
year of billed periods each for the home page's chart, and the order, invoice, fulfillment
request and mail each was bought with, for the back office's lists); the demo's Customer A
holds 60 of them (its panel's list has pages, each can be changed). The reseller also gets one more admin per
connection (``bench_buyer``) for the checkout target, and a credit limit it never reaches.

Rows are written with multi-row INSERTs and explicit ids (sequences are moved past them after),
so seeding takes seconds.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text, update

from app.accounts.models import Organisation, Role, User
from app.catalog.models import (
    Category,
    Marketplace,
    Plan,
    PlanResource,
    PlanTerm,
    PlanTermPrice,
    PriceList,
    Product,
    Resource,
)
from app.billing.models import Invoice
from app.core.models import NumberSequence
from app.extensions import db
from app.mail.models import OutboxMessage
from app.money import apply_basis_points
from app.orders.models import Order, OrderLine
from app.plans.margins import keep_every_subscriptions_margins
from app.plans.models import BillingPeriod, Subscription, SubscriptionResource
from app.provisioning.models import FulfillmentRequest

PRODUCTS = 1000
CATEGORIES = 20
CUSTOMERS = 5000
SUBSCRIPTIONS_PER_CUSTOMER = 4
WORDS = ["Cloud", "Sync", "Vault", "Mail", "Desk", "Guard", "Flow", "Stream", "Signal", "Harbor", "Nimbus", "Prism"]
MARKETPLACE_FACTORS_BP = {"US": 10000, "EU": 9300, "UK": 7900}
COST_BP = 8000
CUSTOMER_A = "Customer A Corp"  # the demo's customer of Reseller One (admin@customer-a.example)
CUSTOMER_A_SUBSCRIPTIONS = 60  # a few pages of its subscriptions list


class Ids:
    """Hands out ids above the current maximum of each table."""

    def __init__(self) -> None:
        self._next: dict = {}

    def take(self, model, count: int) -> range:
        if model not in self._next:
            self._next[model] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
        start = self._next[model]
        self._next[model] += count
        return range(start, start + count)


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(model), rows[start:start + 5000])


BENCH_CREDIT_LIMIT = 2_000_000_000  # minor units ($20 million), near the column's limit: orders for minutes stay far below


def bench_buyer(number: int) -> str:
    return f"bench-buyer-{number:03d}@reseller-one.example"


def seed_buyers(reseller: Organisation, count: int, now: datetime) -> None:
    """``count`` more admins of the reseller (the demo password), one per connection of a
    checkout target, and a credit limit that orders placed for minutes do not exhaust."""
    template = db.session.scalar(select(User).where(User.organisation_id == reseller.id, User.role == Role.ADMIN.value))
    _bulk(User, [dict(email=bench_buyer(n), name=f"Bench Buyer {n:03d}", password_hash=template.password_hash,
                      role=Role.ADMIN.value, organisation_id=reseller.id, is_enabled=True, created_at=now,
                      email_verified_at=now)
                 for n in range(count)])
    reseller.credit_limit = BENCH_CREDIT_LIMIT


def _locked_prices(plan_msrp: int, seat_msrp: int, onboarding_msrp: int, seats_id: int, onboarding_id: int) -> dict:
    """A customer plan term's prices in the US as ``Subscription.locked_prices`` holds them: cost
    80 % of the MSRP, the reseller's customer price its cost plus 20 % on the plan (its markup)
    and the MSRP on resources (no price set)."""
    def tiers(msrp: int, customer: int | None = None) -> dict:
        cost = apply_basis_points(msrp, COST_BP)
        return {"cost": cost, "msrp": msrp, "customer": customer if customer is not None else msrp}

    plan_cost = apply_basis_points(plan_msrp, COST_BP)
    return {"currency": "USD", "plan": tiers(plan_msrp, plan_cost + apply_basis_points(plan_cost, 2000)),
            "resources": {str(seats_id): tiers(seat_msrp), str(onboarding_id): tiers(onboarding_msrp)}}


def _billed_periods(subscription_id: int, prices: dict, seats_id: int, seats: int, start: datetime, earlier: int,
                    now: datetime) -> list[dict]:
    """The current period and ``earlier`` 30-day periods before it, billed at the locked prices."""
    units = max(0, seats - 5)
    seat = prices["resources"][str(seats_id)]
    customer = prices["plan"]["customer"] + units * seat["customer"]
    cost = prices["plan"]["cost"] + units * seat["cost"]
    periods = []
    for back in range(earlier + 1):
        period_start = start - timedelta(days=30 * back)
        periods.append(dict(subscription_id=subscription_id, period_start=period_start,
                            period_end=period_start + timedelta(days=30), kind="advance", status="invoiced", currency="USD",
                            customer_amount=customer, reseller_amount=cost, lines=[], created_at=min(period_start, now)))
    return periods


def seed_large(now: datetime, rng: random.Random | None = None, buyers: int = 16) -> dict:
    """Adds the large data set; returns the counts written and the slug of a typical product."""
    rng = rng or random.Random(7)
    ids = Ids()
    distributor = db.session.scalar(select(Organisation).where(Organisation.kind == "distributor"))
    reseller = db.session.scalar(select(Organisation).where(Organisation.name == "Reseller One LLC"))
    marketplaces = {m.code: m for m in db.session.scalars(select(Marketplace))}
    lists = {row.marketplace_id: row.id for row in db.session.scalars(select(PriceList).where(PriceList.seller_id == distributor.id))}
    reseller_list = db.session.scalar(select(PriceList.id).where(PriceList.seller_id == reseller.id))
    parents = list(db.session.scalars(select(Category.id).where(Category.parent_id.is_(None))))
    seats = db.session.scalar(select(Resource).where(Resource.code == "generic-users"))
    onboarding = db.session.scalar(select(Resource).where(Resource.code == "generic-onboarding"))

    category_ids = ids.take(Category, CATEGORIES)
    _bulk(Category, [dict(id=cid, slug=f"bench-category-{n:02d}", name=f"{WORDS[n % len(WORDS)]} services {n:02d}",
                          description="Benchmark category.", parent_id=parents[n % len(parents)], position=100 + n)
                     for n, cid in enumerate(category_ids)])

    product_ids = ids.take(Product, PRODUCTS)
    products = []
    for n, pid in enumerate(product_ids):
        name = f"{WORDS[n % len(WORDS)]}{WORDS[(n // 12) % len(WORDS)]} Suite {n:04d}"
        products.append(dict(id=pid, slug=f"bench-product-{n:04d}", name=name, vendor=f"Vendor {n % 37:02d}",
                             summary=f"{name}: subscriptions for teams of every size, billed monthly or yearly.",
                             description="A benchmark product with a customer plan and a reseller plan.",
                             category_id=category_ids[n % CATEGORIES], terms_text="Vendor terms apply.", terms_version="1",
                             connector="demo", connector_settings={}, renewal_upgrade_only=False, published=True, created_at=now))
    _bulk(Product, products)

    plan_ids = ids.take(Plan, 2 * PRODUCTS)
    plans, plan_resources, terms, term_prices, resource_prices, reseller_prices = [], [], [], [], [], []
    term_ids = iter(ids.take(PlanTerm, 4 * PRODUCTS))
    plan_resource_ids = iter(ids.take(PlanResource, 4 * PRODUCTS))
    customer_terms, locked = [], {}
    for n, pid in enumerate(product_ids):
        for position, audience in enumerate(("customer", "reseller")):
            plan_id = plan_ids[2 * n + position]
            plans.append(dict(id=plan_id, product_id=pid, code=audience, name=f"{products[n]['name']} for {audience}s",
                              description="Seats included.", audience=audience, kind="organisation", payment_model="prepaid",
                              postponed_billing_allowed=False, published=True, position=position))
            for r_position, (resource, included, maximum) in enumerate(((seats, 5, 1000), (onboarding, 0, 1))):
                plan_resources.append(dict(id=next(plan_resource_ids), plan_id=plan_id, resource_id=resource.id, included=included,
                                           minimum=included, maximum=maximum, step=1, customer_changeable=True, position=r_position))
            monthly_usd = 500 + (n * 37) % 9000
            for code, name, months, charged in (("monthly", "Monthly", 1, 1), ("annual", "Annual", 12, 10)):
                term_id = next(term_ids)
                terms.append(dict(id=term_id, plan_id=plan_id, code=code, name=name, period_months=months, billing_frequency_months=months))
                if audience == "customer":
                    customer_terms.append((plan_id, term_id))
                    reseller_prices.append(dict(price_list_id=reseller_list, plan_term_id=term_id, markup_bp=2000))
                if audience == "customer":
                    locked[term_id] = _locked_prices(monthly_usd * charged, 300 * charged, 24900, seats.id, onboarding.id)
                for market_code, factor in MARKETPLACE_FACTORS_BP.items():
                    msrp = apply_basis_points(monthly_usd * charged, factor)
                    list_id = lists[marketplaces[market_code].id]
                    term_prices.append(dict(price_list_id=list_id, plan_term_id=term_id, msrp=msrp, cost=apply_basis_points(msrp, COST_BP)))
                    for resource, unit_usd in ((seats, 300), (onboarding, 24900)):
                        unit = apply_basis_points(unit_usd * (1 if resource.is_one_time else charged), factor)
                        resource_prices.append(dict(price_list_id=list_id, plan_term_id=term_id, resource_id=resource.id,
                                                    msrp=unit, cost=apply_basis_points(unit, COST_BP)))
    for model, rows in ((Plan, plans), (PlanTerm, terms), (PlanResource, plan_resources), (PlanTermPrice, term_prices + reseller_prices)):
        _bulk(model, rows)
    from app.catalog.models import ResourcePrice

    _bulk(ResourcePrice, resource_prices)

    customer_ids = ids.take(Organisation, CUSTOMERS)
    _bulk(Organisation, [dict(id=cid, name=f"Bench Customer {n:04d} Ltd", kind="customer", parent_id=reseller.id,
                              reselling_enabled=False, marketplace_id=marketplaces["US"].id, credit_limit=None, created_at=now)
                         for n, cid in enumerate(customer_ids)])
    subscription_ids = ids.take(Subscription, CUSTOMERS * SUBSCRIPTIONS_PER_CUSTOMER)
    subscriptions, subscription_resources, billing_periods = [], [], []
    statuses = ["active"] * 8 + ["canceled", "pending"]
    history = random.Random(11)  # the billing history's own draws: the rows above stay as they were
    for n, sid in enumerate(subscription_ids):
        owner = customer_ids[n // SUBSCRIPTIONS_PER_CUSTOMER]
        plan_id, term_id = customer_terms[rng.randrange(len(customer_terms))]
        start = now - timedelta(days=rng.randrange(1, 29))
        status = rng.choice(statuses)
        prices = None if status == "pending" else locked[term_id]  # prices are locked when provisioned
        subscriptions.append(dict(id=sid, owner_id=owner, payer_id=reseller.id, plan_id=plan_id, plan_term_id=term_id,
                                  marketplace_id=marketplaces["US"].id, currency="USD", status=status,
                                  vendor_reference=f"VND-{sid}", parameters={}, postponed_billing=False,
                                  current_period_start=start, current_period_end=start + timedelta(days=30),
                                  created_at=start, activated_at=start, canceled_at=None, locked_prices=prices))
        quantity = 5 + rng.randrange(50)
        subscription_resources.append(dict(subscription_id=sid, resource_id=seats.id, quantity=quantity))
        if prices is not None:  # the reseller home's chart: up to a year of billed periods
            billing_periods += _billed_periods(sid, prices, seats.id, quantity, start, history.randrange(12), now)
    customer_a = db.session.scalar(select(Organisation).where(Organisation.name == CUSTOMER_A))
    customer_a_ids = ids.take(Subscription, CUSTOMER_A_SUBSCRIPTIONS)
    for n, sid in enumerate(customer_a_ids):  # the customer panel's pages: active, so each can be changed
        plan_id, term_id = customer_terms[n * 7 % len(customer_terms)]
        start = now - timedelta(days=1 + n % 28)
        subscriptions.append(dict(id=sid, owner_id=customer_a.id, payer_id=reseller.id, plan_id=plan_id, plan_term_id=term_id,
                                  marketplace_id=marketplaces["US"].id, currency="USD", status="active",
                                  vendor_reference=f"VND-{sid}", parameters={}, postponed_billing=False,
                                  current_period_start=start, current_period_end=start + timedelta(days=30),
                                  created_at=start, activated_at=start, canceled_at=None))
        subscription_resources.append(dict(subscription_id=sid, resource_id=seats.id, quantity=5 + n % 20))
    _bulk(Subscription, subscriptions)
    _bulk(SubscriptionResource, subscription_resources)
    keep_every_subscriptions_margins(db.session.connection())  # the bulk rows bypassed the session's keeper
    _bulk(BillingPeriod, billing_periods)
    seed_history(ids, subscriptions, reseller, distributor, now)
    seed_buyers(reseller, buyers, now)
    _move_sequences_past_ids()
    db.session.commit()
    return {"products": PRODUCTS, "plan_terms": len(terms), "prices": len(term_prices) + len(resource_prices) + len(reseller_prices),
            "customers": CUSTOMERS, "subscriptions": len(subscriptions), "billing_periods": len(billing_periods), "product_slug": products[PRODUCTS // 2]["slug"],
            "customer_subscription_id": customer_a_ids[0],
            "orders": len(subscriptions), "customer_a_id": customer_a.id}


def _take_numbers(prefix: str, now: datetime, count: int) -> list[str]:
    """``count`` document numbers of ``prefix`` in ``now``'s year, the series moved past them."""
    series = f"{prefix}-{now.year}"
    last = db.session.scalar(select(NumberSequence.last_value).where(NumberSequence.series == series))
    if last is None:
        db.session.add(NumberSequence(series=series, last_value=0))
        last = 0
    db.session.execute(update(NumberSequence).where(NumberSequence.series == series).values(last_value=last + count))
    return [f"{series}-{value:06d}" for value in range(last + 1, last + count + 1)]


def seed_history(ids: Ids, subscriptions: list[dict], reseller: Organisation, distributor: Organisation, now: datetime) -> None:
    """What buying ``subscriptions`` left behind, for the back office's lists at the book's size:
    per subscription the reseller's order of it (one line), its invoice from the distributor
    (paid, so the reseller's open balance stays as it was), its fulfillment request (completed,
    or waiting for the vendor while the subscription is pending) and the mail announcing it."""
    admin = db.session.scalar(select(User.id).where(User.organisation_id == reseller.id, User.role == Role.ADMIN.value)
                              .order_by(User.id))
    count = len(subscriptions)
    order_ids, line_ids = ids.take(Order, count), ids.take(OrderLine, count)
    invoice_ids, request_ids, message_ids = ids.take(Invoice, count), ids.take(FulfillmentRequest, count), ids.take(OutboxMessage, count)
    order_numbers, invoice_numbers = _take_numbers("ORD", now, count), _take_numbers("INV", now, count)
    orders, lines, invoices, requests, messages = [], [], [], [], []
    for n, subscription in enumerate(subscriptions):
        placed, total = subscription["created_at"], 500 + (subscription["id"] * 37) % 9000
        pending = subscription["status"] == "pending"
        orders.append(dict(id=order_ids[n], number=order_numbers[n], buyer_id=reseller.id, placed_by_id=admin,
                           marketplace_id=subscription["marketplace_id"], currency="USD",
                           status="provisioning" if pending else "completed", subtotal=total, tax=0, total=total, tax_rate_bp=0,
                           reverse_charge=False, payment_method="on_account", payment_status="invoiced",
                           idempotency_key=f"bench-order-{order_ids[n]}", quote_fingerprint="", terms_acceptance=[],
                           created_at=placed))
        lines.append(dict(id=line_ids[n], order_id=order_ids[n], position=1, kind="purchase",
                          plan_term_id=subscription["plan_term_id"], beneficiary_id=subscription["owner_id"],
                          subscription_id=subscription["id"], description="Benchmark subscription", quantities={},
                          previous_quantities={}, parameters={}, postponed_billing=False, subtotal=total, admin_email=""))
        invoices.append(dict(id=invoice_ids[n], number=invoice_numbers[n], kind="order", organisation_id=reseller.id,
                             seller_id=distributor.id, order_id=order_ids[n], currency="USD", subtotal=total, tax=0, total=total,
                             tax_rate_bp=0, reverse_charge=False, payment_method="on_account", status="paid", bill_to={},
                             seller_details={}, issued_at=placed, due_at=placed + timedelta(days=30), paid_at=placed))
        requests.append(dict(id=request_ids[n], type="purchase", subscription_id=subscription["id"], order_id=order_ids[n],
                             order_line_id=line_ids[n], idempotency_key=f"bench-request-{request_ids[n]}", attempts=1,
                             last_error="", vendor_reference=subscription["vendor_reference"], job_id="",
                             state="processing" if pending else "completed", claimed_by="vendor" if pending else "",
                             resolution_note="", created_at=placed, updated_at=placed,
                             completed_at=None if pending else placed))
        messages.append(dict(id=message_ids[n], kind="new_subscription", recipient=f"admin-{n}@customer.example",
                             subject=f"Your new subscription {subscription['vendor_reference']}",
                             body="Your subscription is ready.", html="", context={}, status="sent",
                             message_id=f"<bench-{message_ids[n]}@marketplace.example>", attempts=1, last_error="",
                             created_at=placed, sent_at=placed))
    for model, rows in ((Order, orders), (OrderLine, lines), (Invoice, invoices), (FulfillmentRequest, requests),
                        (OutboxMessage, messages)):
        _bulk(model, rows)


def _move_sequences_past_ids() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.columns:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))

"""A large distributor price list written in bulk: ``count`` products, each with one customer
plan of two terms (monthly, annual), each term priced with the world's seats and QuickStart
(three items per term, six per product), on the distributor's US list."""
from __future__ import annotations

from sqlalchemy import func, insert, select

from app.catalog.models import Plan, PlanTerm, PlanTermPrice, Product, ResourcePrice
from app.extensions import db
from tests import factories as f


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(model.__table__), rows[start:start + 2000])


def many_priced_products(world, count: int) -> list[int]:
    """Writes the products (named "Bulk 0001", ...) and their prices; returns the plan term ids. Committed."""
    price_list = f.price_list(world.distributor, world.us)
    product_id, plan_id, term_id = _next_id(Product), _next_id(Plan), _next_id(PlanTerm)
    products, plans, terms, term_prices, resource_prices = [], [], [], [], []
    for number in range(count):
        products.append({"id": product_id + number, "slug": f"bulk-{number:04d}", "name": f"Bulk {number:04d}",
                         "vendor": "Vendor", "category_id": world.category.id, "summary": "", "description": "",
                         "terms_text": "", "terms_version": "1", "connector": "demo", "connector_settings": {},
                         "renewal_upgrade_only": False, "published": True})
        plans.append({"id": plan_id + number, "product_id": product_id + number, "code": f"bulk-{number:04d}",
                      "name": f"Bulk plan {number:04d}", "description": "", "audience": "customer", "kind": "organisation",
                      "payment_model": "prepaid", "postponed_billing_allowed": False, "published": True, "position": 0,
                      "features": []})
        for offset, (code, months) in enumerate((("monthly", 1), ("annual", 12))):
            term = term_id + 2 * number + offset
            terms.append({"id": term, "plan_id": plan_id + number, "code": code, "name": code.title(),
                          "period_months": months, "billing_frequency_months": months})
            term_prices.append({"price_list_id": price_list.id, "plan_term_id": term, "cost": 800 * months,
                                "msrp": 1000 * months})
            for resource, cost in ((world.seats, 200), (world.quickstart, 20000)):
                resource_prices.append({"price_list_id": price_list.id, "plan_term_id": term, "resource_id": resource.id,
                                        "cost": cost, "msrp": cost * 5 // 4})
    for model, rows in ((Product, products), (Plan, plans), (PlanTerm, terms), (PlanTermPrice, term_prices),
                        (ResourcePrice, resource_prices)):
        _bulk(model, rows)
    if db.engine.dialect.name == "postgresql":  # later inserts must not collide with the ids written
        for model in (Product, Plan, PlanTerm):
            db.session.execute(select(func.setval(func.pg_get_serial_sequence(model.__table__.name, "id"), _next_id(model))))
    db.session.commit()
    return [row["id"] for row in terms]

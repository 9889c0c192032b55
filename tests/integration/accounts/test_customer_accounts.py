"""``app.accounts.customers.create_customer`` as other callers (the API) use it: only a reseller
creates customers, and concurrent creations of one name under one reseller make one customer
(the reseller's row is locked while names are compared; a PostgreSQL race)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.accounts.customers import CustomerRefused, DuplicateCustomer, NewCustomer, create_customer
from app.accounts.models import Organisation, User
from app.extensions import db

NOW = datetime(2026, 5, 1, 12, 0)


def _details(world, name="Northwind Traders", **changes) -> NewCustomer:
    return NewCustomer(**{"name": name, "contact_name": "Nora West", "contact_email": "nora@northwind.example",
                          "marketplace_id": world.us.id, **changes})


def _count(parent) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Organisation.id)).where(Organisation.parent_id == parent.id))


def test_only_an_organisation_enabled_for_reselling_creates_customers(world):
    world.reseller.reselling_enabled = False
    db.session.commit()

    with pytest.raises(CustomerRefused) as refused:
        create_customer(world.reseller, _details(world), actor=None, now=NOW)
    assert refused.value.status == 403
    with pytest.raises(CustomerRefused):
        create_customer(world.customer, _details(world), actor=None, now=NOW)
    db.session.rollback()
    assert _count(world.reseller) == 2 and _count(world.customer) == 0


def test_the_billing_contact_defaults_to_the_contact_and_the_customer_belongs_to_the_reseller(world):
    customer = create_customer(world.reseller, _details(world, domain="Northwind.Example"), actor=world.users.reseller, now=NOW)
    db.session.commit()

    assert (customer.parent_id, customer.kind, customer.created_at, customer.domain) == (
        world.reseller.id, "customer", NOW, "northwind.example")
    assert (customer.billing_contact_name, customer.billing_contact_email) == ("Nora West", "nora@northwind.example")
    with pytest.raises(DuplicateCustomer):
        create_customer(world.reseller, _details(world, name="NORTHWIND  traders"), actor=None, now=NOW)


@pytest.mark.postgres_only
def test_ten_concurrent_creations_of_one_name_make_one_customer(app, world):
    reseller_id, user_id = world.reseller.id, world.users.reseller.id
    details = _details(world)
    start = threading.Barrier(10)

    def create(_):
        with app.app_context():
            reseller, user = db.session.get(Organisation, reseller_id), db.session.get(User, user_id)
            start.wait()
            try:
                create_customer(reseller, details, actor=user, now=NOW)
                db.session.commit()
                return "created"
            except DuplicateCustomer:
                db.session.rollback()
                return "duplicate"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(create, range(10)))

    assert sorted(results) == ["created"] + ["duplicate"] * 9
    assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.name == "Northwind Traders")) == 1

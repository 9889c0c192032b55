"""Fixtures of the customer panel's buying tests (imported by them; not a conftest, so that the
other panel tests keep their own): customer A of Reseller One ready to buy in its own panel."""
import pytest

from app.extensions import db
from tests import factories as f


@pytest.fixture
def customer_shop(world):
    """``world`` where Reseller One sells the customer plan's monthly term to its customers at
    $12.00 and extra seats at cost + 25 % ($2.50; QuickStart stays at the MSRP, $250.00);
    customer A has billing information, a $1,000 credit limit and a member; the marketplace has
    terms to accept."""
    monthly = next(term for term in world.customer_plan.terms if term.code == "monthly")
    f.set_reseller_price(world.reseller, world.us, monthly, amount=1200)
    f.set_reseller_price(world.reseller, world.us, monthly, markup_bp=2500, resource=world.seats)
    f.make_billing_info(world.customer)
    world.customer.credit_limit = 100_000
    world.us.terms_text, world.us.terms_version = "Marketplace terms.", "2026-01"
    world.monthly = monthly
    world.users.customer_member = f.make_user(world.customer, "member@customer-a.test", role="member")
    db.session.commit()
    return world


@pytest.fixture
def handed_off(monkeypatch):
    """The orders handed to provisioning, in order (no job is queued)."""
    orders = []
    monkeypatch.setattr("app.orders.settlement.hand_off", lambda order, now=None: orders.append(order.number))
    return orders

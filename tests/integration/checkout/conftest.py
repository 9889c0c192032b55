"""Fixtures of the cart and checkout tests: the tiered ``world`` ready to buy on account."""
import pytest

from app.extensions import db
from tests import factories as f


@pytest.fixture
def shop(world):
    """``world`` where the reseller (credit limit $10,000) and customer A have billing
    information on file, and the US marketplace has terms to accept."""
    f.make_billing_info(world.reseller, tax_id="US-1234")
    f.make_billing_info(world.customer)
    world.reseller.credit_limit = 1_000_000
    world.us.terms_text, world.us.terms_version = "Marketplace terms.", "2026-01"
    db.session.commit()
    return world


@pytest.fixture
def handed_off(monkeypatch):
    """The orders handed to provisioning, in order."""
    orders = []
    monkeypatch.setattr("app.orders.settlement.hand_off", lambda order, now=None: orders.append(order.number))
    return orders


@pytest.fixture
def card_on_file(localstripe):
    """``card_on_file(organisation, number=VISA)``: saves a test card as the organisation's default."""
    from app.payments.cards import set_default_card
    from tests.stripe_support import VISA

    def save(organisation, number: str = VISA):
        return set_default_card(organisation, localstripe.card(number))

    return save

"""The pricing rule without a database: who pays which tier, markups and their rounding."""
from types import SimpleNamespace

import pytest
from hypothesis import given, strategies as st

from app.catalog.eligibility import BuyerKind
from app.catalog.pricing import ANONYMOUS, PriceBasis, TierPrices, Viewer, customer_price, price_for, viewer_for
from app.money import Money


def organisation(kind, reselling_enabled=False, parent=None, id=1):
    org = SimpleNamespace(kind=kind, reselling_enabled=reselling_enabled, parent=parent, id=id,
                          parent_id=parent.id if parent else None)
    org.acts_as_reseller = kind == "reseller" and reselling_enabled
    org.is_customer = kind == "customer"
    org.is_distributor = kind == "distributor"
    return org


def test_customer_price_prefers_an_absolute_amount_then_a_markup_then_msrp():
    assert customer_price(cost=800, msrp=1000, amount=950, markup_bp=2500) == 950
    assert customer_price(cost=800, msrp=1000, amount=None, markup_bp=2500) == 1000
    assert customer_price(cost=800, msrp=1000, amount=None, markup_bp=None) == 1000


def test_markup_rounds_half_up_to_the_minor_unit():
    assert customer_price(cost=999, msrp=2000, amount=None, markup_bp=1250) == 1124  # 1123.875
    assert customer_price(cost=2, msrp=9, amount=None, markup_bp=2500) == 3  # 2.5 -> 3
    assert customer_price(cost=1, msrp=9, amount=None, markup_bp=2500) == 1  # 1.25 -> 1
    assert customer_price(cost=1000, msrp=2000, amount=None, markup_bp=0) == 1000


def test_each_kind_of_buyer_gets_its_tier():
    tiers = TierPrices("USD", cost=800, msrp=1000, customer=900)
    distributor = organisation("distributor", id=1)
    reseller = organisation("reseller", reselling_enabled=True, parent=distributor, id=2)
    not_enabled = organisation("reseller", reselling_enabled=False, parent=distributor, id=3)
    customer = organisation("customer", parent=reseller, id=4)
    direct_customer = organisation("customer", parent=not_enabled, id=5)

    assert price_for(viewer_for(None), tiers) == Money(1000, "USD")
    assert price_for(viewer_for(reseller), tiers) == Money(800, "USD")
    assert price_for(viewer_for(customer), tiers) == Money(900, "USD")
    assert viewer_for(customer) == Viewer(PriceBasis.RESELLER_PRICE, reseller_id=2)
    # an organisation the distributor has not enabled for reselling buys at retail, as a visitor
    # would, but is its own kind of viewer (it may not buy reseller plans: app.catalog.eligibility)
    for retail_buyer in (not_enabled, direct_customer, distributor):
        assert price_for(viewer_for(retail_buyer), tiers) == Money(1000, "USD")
    assert viewer_for(not_enabled) == viewer_for(direct_customer) == Viewer(PriceBasis.MSRP, kind=BuyerKind.DIRECT_CUSTOMER)
    assert viewer_for(distributor) == Viewer(PriceBasis.MSRP, kind=BuyerKind.DISTRIBUTOR)
    assert viewer_for(None) == ANONYMOUS and ANONYMOUS.kind is BuyerKind.VISITOR
    assert len({viewer_for(org) for org in (None, reseller, not_enabled, customer, distributor)}) == 5


def test_margin_is_customer_price_minus_cost():
    assert TierPrices("EUR", cost=800, msrp=1000, customer=1100).margin == Money(300, "EUR")


@given(cost=st.integers(0, 10**9), markup=st.integers(0, 50_000))
def test_a_markup_never_prices_below_cost(cost, markup):
    price = customer_price(cost=cost, msrp=0, amount=None, markup_bp=markup)
    assert isinstance(price, int) and price >= cost
    assert abs(price * 10_000 - cost * (10_000 + markup)) <= 5_000  # within half a minor unit

"""Who may buy what (app.catalog.eligibility) without a database: the one rule the storefront's
listing and the checkout's validation both read."""
from types import SimpleNamespace

import pytest

from app.catalog.eligibility import BuyerKind, buyable_audiences, buyer_kind
from app.catalog.pricing import Viewer, PriceBasis
from app.orders.lines import Beneficiary
from app.orders.validation import eligibility_problem


def organisation(kind, reselling_enabled=False, parent=None, id=1):
    return SimpleNamespace(id=id, name=f"Org {id}", kind=kind, parent=parent, parent_id=parent.id if parent else None,
                           acts_as_reseller=kind == "reseller" and reselling_enabled, is_customer=kind == "customer",
                           is_distributor=kind == "distributor")


DISTRIBUTOR = organisation("distributor", id=1)
RESELLER = organisation("reseller", reselling_enabled=True, parent=DISTRIBUTOR, id=2)
RESELLING_OFF = organisation("reseller", reselling_enabled=False, parent=DISTRIBUTOR, id=3)
RESELLERS_CUSTOMER = organisation("customer", parent=RESELLER, id=4)
DIRECT_CUSTOMER = organisation("customer", parent=DISTRIBUTOR, id=5)
CUSTOMER_OF_RESELLING_OFF = organisation("customer", parent=RESELLING_OFF, id=6)

BUYERS = [
    (None, BuyerKind.VISITOR, ("reseller", "customer")),
    (RESELLER, BuyerKind.RESELLER, ("reseller", "customer")),
    (RESELLING_OFF, BuyerKind.DIRECT_CUSTOMER, ("customer",)),
    (RESELLERS_CUSTOMER, BuyerKind.RESELLERS_CUSTOMER, ("customer",)),
    (DIRECT_CUSTOMER, BuyerKind.DIRECT_CUSTOMER, ("customer",)),
    (CUSTOMER_OF_RESELLING_OFF, BuyerKind.DIRECT_CUSTOMER, ("customer",)),
    (DISTRIBUTOR, BuyerKind.DISTRIBUTOR, ()),
]


@pytest.mark.parametrize("buyer, kind, audiences", BUYERS)
def test_each_kind_of_buyer_may_buy_its_audiences(buyer, kind, audiences):
    assert buyer_kind(buyer) is kind
    assert buyable_audiences(buyer) == audiences


@pytest.mark.parametrize("buyer, kind, audiences", BUYERS)
def test_the_storefront_lists_what_the_viewer_may_buy_and_everything_to_the_distributor(buyer, kind, audiences):
    assert kind.listed == (("reseller", "customer") if kind is BuyerKind.DISTRIBUTOR else audiences)


@pytest.mark.parametrize("buyer, kind, audiences", [row for row in BUYERS if row[0] is not None])
@pytest.mark.parametrize("audience", ["reseller", "customer"])
def test_checkout_refuses_exactly_the_audiences_the_rule_does_not_give(buyer, kind, audiences, audience):
    # for itself, or for one of its customers when it resells (a customer plan's beneficiary)
    beneficiary = Beneficiary.customer(7) if kind is BuyerKind.RESELLER and audience == "customer" else Beneficiary.self_()
    problem = eligibility_problem(SimpleNamespace(name="Plan", audience=audience), buyer, beneficiary, frozenset({7}))
    assert (problem is None) == (audience in audiences)


def test_a_reseller_whose_reselling_is_switched_off_becomes_a_direct_customer_at_once():
    reseller = organisation("reseller", reselling_enabled=True, parent=DISTRIBUTOR, id=8)
    customer = organisation("customer", parent=reseller, id=9)
    assert (buyer_kind(reseller), buyer_kind(customer)) == (BuyerKind.RESELLER, BuyerKind.RESELLERS_CUSTOMER)
    reseller.acts_as_reseller = False
    assert (buyer_kind(reseller), buyer_kind(customer)) == (BuyerKind.DIRECT_CUSTOMER, BuyerKind.DIRECT_CUSTOMER)


def test_a_viewer_s_kind_defaults_to_the_one_its_prices_imply():
    assert Viewer(PriceBasis.MSRP).kind is BuyerKind.VISITOR
    assert Viewer(PriceBasis.COST).kind is BuyerKind.RESELLER
    assert Viewer(PriceBasis.RESELLER_PRICE, reseller_id=2).kind is BuyerKind.RESELLERS_CUSTOMER
    assert Viewer(PriceBasis.MSRP) != Viewer(PriceBasis.MSRP, kind=BuyerKind.DIRECT_CUSTOMER)

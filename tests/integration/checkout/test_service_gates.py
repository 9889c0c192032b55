"""The checkout's gates live in the services: ``prepare`` and ``place_order`` called directly (as
a panel, the API or a job would) refuse with the messages the checkout page shows, and change
nothing."""
import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.cart.services import UserCart
from app.extensions import db
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.gates import BillingInformationMissing, CartOfOtherMarketplace, NotAllowedToOrder
from app.orders.lines import LineRequest
from app.orders.models import Order
from app.plans.models import Subscription
from tests import factories as f
from tests.integration.checkout.helpers import add_to_cart, flashes, term_of

MEMBER_REFUSED = "Only administrators of Reseller One can place orders."
NO_BILLING_INFORMATION = "Before your first order, tell us who to invoice."
OTHER_MARKETPLACE = ("Your cart holds items from US (USD). To check them out, switch back to US; "
                     "to buy in European Union, empty your cart first.")


def _now() -> datetime:
    return datetime(2026, 3, 14, 9, 30)


def _cart_of(user, world, marketplace=None) -> UserCart:
    """``user``'s cart with one line of the reseller plan, filled in ``marketplace`` (US)."""
    store = UserCart(user)
    store.add(LineRequest(term_of(world.reseller_plan).id), (marketplace or world.us).id)
    db.session.commit()
    return UserCart(user)


def _request(world, user, store, marketplace=None) -> CheckoutRequest:
    lines = [entry.request for entry in store.entries()]
    return CheckoutRequest(world.reseller, user, marketplace or world.us, lines, uuid.uuid4().hex, "0" * 64,
                           frozenset({"marketplace@2026-01"}), cart=store.cart)


def _nothing_placed(store_user) -> None:
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert db.session.scalar(select(func.count(Subscription.id))) == 0
    assert len(UserCart(store_user).entries()) == 1  # the cart is intact


def _european_union():
    eu = f.make_marketplace("EU", "EUR", country="DE", tax_region="EU", name="European Union")
    db.session.commit()
    return eu


def test_a_member_is_refused_by_the_services_as_by_the_page(client, auth, shop):
    # given a member of the reseller with a cart
    auth.login("member@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan))
    page = flashes(client.get("/checkout", follow_redirects=True))
    store = UserCart(shop.users.reseller_member)
    # when the services are called directly for that member
    with pytest.raises(NotAllowedToOrder) as prepared:
        prepare(shop.reseller, shop.us, [e.request for e in store.entries()], placed_by=shop.users.reseller_member,
                cart_marketplace_id=store.marketplace_id)
    with pytest.raises(NotAllowedToOrder) as placed:
        place_order(_request(shop, shop.users.reseller_member, store), _now())
    # then they refuse with the page's message, and nothing changed
    assert MEMBER_REFUSED in page
    assert prepared.value.message == placed.value.message == MEMBER_REFUSED
    assert placed.value.status == 403
    _nothing_placed(shop.users.reseller_member)


def test_an_organisation_without_billing_information_is_refused_by_the_services_as_by_the_page(client, auth, world):
    # given a reseller with credit but no billing information, and its admin's cart
    world.reseller.credit_limit = 1_000_000
    db.session.commit()
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(world.reseller_plan))
    response = client.get("/checkout")
    page = flashes(client.get(response.headers["Location"]))
    store = UserCart(world.users.reseller)
    lines = [e.request for e in store.entries()]
    fingerprint = prepare(world.reseller, world.us, lines).quote.fingerprint  # a price preview is no checkout
    # when the services are called directly
    with pytest.raises(BillingInformationMissing) as prepared:
        prepare(world.reseller, world.us, lines, placed_by=world.users.reseller, cart_marketplace_id=store.marketplace_id)
    request = _request(world, world.users.reseller, store)
    request.fingerprint = fingerprint
    with pytest.raises(BillingInformationMissing) as placed:
        place_order(request, _now())
    # then they refuse with the page's message, the page sends the buyer to the billing form,
    # and nothing changed
    assert response.headers["Location"].startswith("/account/billing")
    assert NO_BILLING_INFORMATION in page
    assert prepared.value.message == placed.value.message == NO_BILLING_INFORMATION
    _nothing_placed(world.users.reseller)


def test_a_cart_of_another_marketplace_is_refused_by_the_services_as_by_the_page(client, auth, shop):
    # given the admin's cart filled in the US, and the buyer now in the EU marketplace
    eu = _european_union()
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan))
    client.post("/region", data={"region": "EU", "next": "/cart"})
    page = flashes(client.get("/checkout", follow_redirects=True))
    store = UserCart(shop.users.reseller)
    # when the services are called directly for the EU marketplace with that cart
    with pytest.raises(CartOfOtherMarketplace) as prepared:
        prepare(shop.reseller, eu, [e.request for e in store.entries()], placed_by=shop.users.reseller,
                cart_marketplace_id=store.marketplace_id)
    with pytest.raises(CartOfOtherMarketplace) as placed:
        place_order(_request(shop, shop.users.reseller, store, marketplace=eu), _now())
    # then they refuse with the page's message, and nothing changed
    assert OTHER_MARKETPLACE in page
    assert prepared.value.message == placed.value.message == OTHER_MARKETPLACE
    assert placed.value.status == 409
    _nothing_placed(shop.users.reseller)


def test_the_same_services_place_the_order_once_every_gate_is_passed(shop, handed_off):
    # given the admin's cart in the US, with billing information on file
    store = _cart_of(shop.users.reseller, shop)
    lines = [e.request for e in store.entries()]
    preview = prepare(shop.reseller, shop.us, lines, placed_by=shop.users.reseller, cart_marketplace_id=store.marketplace_id)
    request = _request(shop, shop.users.reseller, store)
    request.fingerprint, request.accepted_terms = preview.quote.fingerprint, frozenset(t.token for t in preview.terms)
    # when it is placed directly
    order = place_order(request, _now())
    # then the order is placed and the cart emptied in the same transaction
    assert order.number == "ORD-2026-000001"
    assert UserCart(shop.users.reseller).entries() == []

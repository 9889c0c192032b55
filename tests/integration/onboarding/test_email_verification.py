"""E-mail verification by a signed link: an unverified user may fill a cart but the checkout's
gate refuses their orders (through the page and through ``place_order`` called directly);
the link verifies once, and not when expired or tampered with."""
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.invitations import accept_invitation, invite
from app.accounts.password_reset import reset_token
from app.cart.services import UserCart
from app.core.clock import TravelClock
from app.extensions import db
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.gates import EmailNotVerified
from app.orders.models import Order
from tests import factories as f
from tests.integration.checkout.helpers import add_to_cart, flashes, open_checkout, term_of
from tests.integration.onboarding.helpers import NEW_PASSWORD, link_path, messages, sign_up, user_of

NOT_VERIFIED = ("Confirm your e-mail address before you place an order: open the link we sent to ada@acme.example, "
                "or ask for a new one.")
CONFIRMED = "Thank you: your e-mail address is confirmed. You can place orders now."


@pytest.fixture
def clock(app, monkeypatch):
    travel = TravelClock(datetime(2026, 3, 14, 9, 30))
    monkeypatch.setitem(app.config, "CLOCK", travel)
    return travel


@pytest.fixture
def newcomer(client, world, clock):
    """A visitor who signed up (Acme, a customer of the distributor), with billing information
    and one line of the customer plan in its cart."""
    sign_up(client)
    user = user_of("ada@acme.example")
    f.make_billing_info(user.organisation)
    db.session.commit()
    add_to_cart(client, term_of(world.customer_plan))
    return user


@pytest.fixture
def handed_off(monkeypatch):
    """Provisioning kept out: the orders handed to it."""
    orders = []
    monkeypatch.setattr("app.orders.settlement.hand_off", lambda order, now=None: orders.append(order.number))
    return orders


def _verification_link(email="ada@acme.example", which=-1) -> str:
    return link_path(messages("email_verification", email)[which])


def _direct_request(user, world, fingerprint="0" * 64) -> CheckoutRequest:
    store = UserCart(user)
    return CheckoutRequest(user.organisation, user, world.us, [e.request for e in store.entries()], uuid.uuid4().hex,
                           fingerprint, frozenset(), cart=store.cart)


def _orders() -> int:
    return db.session.scalar(select(func.count(Order.id)))


def test_an_unverified_user_fills_a_cart_but_the_checkout_refuses_with_a_resend_action(client, world, newcomer):
    # when the newcomer, not verified yet, opens the checkout with a line in its cart
    response = client.get("/checkout")
    # then it is sent to the page that resends the link, told why, and its cart is intact
    assert (response.status_code, response.headers["Location"]) == (302, "/account/verify?next=/cart")
    page = client.get(response.headers["Location"])
    assert NOT_VERIFIED in flashes(page)
    assert '<form method="post" action="/account/verify">' in page.get_data(as_text=True)
    assert "Send me a new link" in page.get_data(as_text=True)
    assert len(UserCart(newcomer).entries()) == 1
    # and every other page reminds it
    assert 'id="unverified-notice"' in client.get("/cart").get_data(as_text=True)


def test_place_order_called_directly_refuses_an_unverified_user_and_changes_nothing(world, newcomer):
    # given the newcomer's cart and a quote of it
    store = UserCart(newcomer)
    preview = prepare(newcomer.organisation, world.us, [e.request for e in store.entries()])
    # when the services are called directly for it
    with pytest.raises(EmailNotVerified) as prepared:
        prepare(newcomer.organisation, world.us, [e.request for e in store.entries()], placed_by=newcomer,
                cart_marketplace_id=store.marketplace_id)
    with pytest.raises(EmailNotVerified) as placed:
        place_order(_direct_request(newcomer, world, preview.quote.fingerprint), datetime(2026, 3, 14, 9, 30))
    # then both refuse with the page's message, as forbidden, and nothing is placed
    assert prepared.value.message == placed.value.message == NOT_VERIFIED
    assert placed.value.status == 403
    db.session.expire_all()
    assert _orders() == 0
    assert len(UserCart(newcomer).entries()) == 1


def test_the_mailed_link_verifies_the_address_and_the_user_can_then_order(client, world, newcomer, clock, handed_off):
    # when the newcomer opens the link of the e-mail, a day later
    clock.advance(timedelta(days=1))
    response = client.get(_verification_link())
    # then the address is verified at that time and it goes back to its cart
    assert (response.status_code, response.headers["Location"]) == (302, "/cart")
    assert CONFIRMED in flashes(client.get("/cart"))
    assert user_of("ada@acme.example").email_verified_at == datetime(2026, 3, 15, 9, 30)
    assert 'id="unverified-notice"' not in client.get("/cart").get_data(as_text=True)
    # and the checkout opens, and place_order called directly places the order
    assert open_checkout(client).status == 200
    user = user_of("ada@acme.example")
    preview = prepare(user.organisation, world.us, [e.request for e in UserCart(user).entries()], placed_by=user)
    request = _direct_request(user, world, preview.quote.fingerprint)
    request.accepted_terms = frozenset(t.token for t in preview.terms)
    request.payment_method = "card"
    order = place_order(request, clock.now())
    assert (order.buyer_id, order.placed_by_id) == (user.organisation_id, user.id)


def test_a_link_opened_signed_out_verifies_too_and_asks_to_sign_in(client, world, newcomer):
    client.post("/sign-out")
    response = client.get(_verification_link())
    assert (response.status_code, response.headers["Location"]) == (302, "/sign-in")
    assert user_of("ada@acme.example").email_verified


def test_an_expired_link_is_refused_and_changes_nothing(client, world, newcomer, clock):
    # given a link three days and a second old
    clock.advance(timedelta(days=3, seconds=1))
    # when it is opened
    response = client.get(_verification_link())
    # then it is refused, the user is told to ask for a new one, and the address is not verified
    assert response.headers["Location"] == "/account/verify"
    assert "This confirmation link has expired. Sign in and ask for a new one." in flashes(client.get("/account/verify"))
    assert user_of("ada@acme.example").email_verified_at is None


def test_a_link_is_valid_until_its_third_day_ends(client, world, newcomer, clock):
    clock.advance(timedelta(days=3))
    client.get(_verification_link())
    assert user_of("ada@acme.example").email_verified


def test_a_tampered_link_or_another_links_token_is_refused(client, world, newcomer):
    path = _verification_link()
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    reset = reset_token(user_of("ada@acme.example"))  # a genuine token, of another purpose
    for bad in (f"/verify-email/{tampered}", f"/verify-email/{reset}", "/verify-email/x"):
        response = client.get(bad)
        assert response.headers["Location"] == "/account/verify", bad
        assert "This confirmation link is not valid. Sign in and ask for a new one." in flashes(client.get("/account/verify"))
    # A path parameter longer than any signed link is refused by the URL converter (issue 15, item 9).
    assert client.get("/verify-email/" + "a" * 3000).status_code == 404
    assert user_of("ada@acme.example").email_verified_at is None


def test_a_link_used_twice_changes_nothing_the_second_time(client, world, newcomer, clock):
    path = _verification_link()
    client.get(path)
    verified_at = user_of("ada@acme.example").email_verified_at
    clock.advance(timedelta(hours=1))
    response = client.get(path)
    assert response.headers["Location"] == "/cart"
    assert "Your e-mail address is confirmed already." in flashes(client.get("/cart"))
    assert user_of("ada@acme.example").email_verified_at == verified_at


def test_a_link_for_an_address_changed_since_is_refused(client, world, newcomer):
    path = _verification_link()
    user = user_of("ada@acme.example")
    user.email = "ada@elsewhere.example"
    db.session.commit()
    client.get(path)
    assert user_of("ada@elsewhere.example").email_verified_at is None


def test_a_new_link_is_sent_on_request_and_both_links_work(client, world, newcomer, clock):
    # when the newcomer asks for a new link
    clock.advance(timedelta(minutes=5))
    response = client.post("/account/verify", data={"next": "/cart"})
    # then a second message goes out, and it is told so
    assert (response.status_code, response.headers["Location"]) == (303, "/account/verify?next=/cart")
    assert "We sent a new link to ada@acme.example." in flashes(client.get(response.headers["Location"]))
    first, second = (link_path(message) for message in messages("email_verification", "ada@acme.example"))
    assert first != second
    # and the first link still verifies
    client.get(first)
    assert user_of("ada@acme.example").email_verified


def test_a_verified_user_is_sent_on_from_the_verification_page_and_gets_no_new_link(client, auth, world):
    auth.login("admin@customer-a.test")
    assert client.get("/account/verify?next=/cart").headers["Location"] == "/cart"
    client.post("/account/verify", data={"next": "/cart"})
    assert messages("email_verification", "admin@customer-a.test") == []


def test_an_invited_user_who_sets_a_password_through_the_link_counts_as_verified(world, clock):
    # given an administrator invited to a new customer (created disabled, address unproven)
    user, token = invite(world.customer, "new-admin@customer-a.example")
    assert user.email_verified_at is None
    # when it accepts the invitation
    accept_invitation(token, NEW_PASSWORD, 10, clock.now())
    # then its address counts as verified
    assert user.email_verified_at == clock.now()

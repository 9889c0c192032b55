"""The saved card after the bank answered: a declined card is not presented as the card on file
(until another card is saved or it pays), a failed 3-D Secure says nothing against the card; and
a card the buyer just authenticated when saving it pays its first order off-session, as Stripe
documents, instead of asking for 3-D Secure again."""
import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.orders.models import Order
from app.payments import gateway
from app.payments.cards import freshly_set_up
from app.payments.models import Payment, PaymentAccount
from tests.integration.checkout.helpers import add_to_cart, open_checkout, place_order, term_of
from tests.stripe_support import DECLINED_AT_PAYMENT, THREE_D_SECURE, VISA


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def account() -> PaymentAccount:
    db.session.expire_all()
    return db.session.scalar(select(PaymentAccount))


def _check_out_by_card(client, auth, shop):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=6)
    return place_order(client, open_checkout(client), payment_method="card")


def test_a_declined_card_is_not_presented_as_the_card_on_file(client, auth, shop, card_on_file, localstripe, handed_off):
    # given a card the bank declines at payment
    card_on_file(shop.reseller, DECLINED_AT_PAYMENT)
    response = _check_out_by_card(client, auth, shop)
    order = db.session.scalar(select(Order))
    # then the account remembers the bank's refusal
    declined = account()
    assert (declined.card_last4, declined.card_decline_reason, declined.card_declined) == ("0341", "Your card was declined.", True)
    # and the pay page offers another card first, naming the declined one as declined, not as "Card:"
    pay_page = text_of(client.get(response.headers["Location"]))
    assert "Visa ending in 0341 was declined" in pay_page and "Add another card" in pay_page
    assert "Card: <strong>" not in pay_page and f"Pay {'$19.80'} now" not in pay_page
    assert 'name="seen_attempts" type="hidden" value="1"' in pay_page  # trying it again stays possible
    # and so does the card page
    card_page = text_of(client.get("/payments/card"))
    assert "No usable card: Visa ending in 0341 was declined" in card_page and "Add a card</h2>" in card_page
    # when another card is saved, it is the card on file, with no decline against it
    card_on_file(shop.reseller, VISA)
    assert (account().card_last4, account().card_declined) == ("4242", False)
    pay_page = text_of(client.get(f"/orders/{order.number}/pay"))
    assert "Card: <strong>Visa ending in 4242</strong>" in pay_page and "data-card-declined" not in pay_page


def test_a_failed_3d_secure_does_not_mark_the_card_declined(client, auth, shop, card_on_file, localstripe, handed_off):
    card_on_file(shop.reseller, THREE_D_SECURE)
    _check_out_by_card(client, auth, shop)
    order, payment = db.session.scalar(select(Order)), db.session.scalar(select(Payment))
    localstripe.authenticate(payment.provider_intent_id, localstripe.payment_intent(payment.provider_intent_id)["client_secret"], success=False)
    client.post(f"/payments/orders/{order.id}/authenticate", data={"next": f"/orders/{order.number}"})
    assert (db.session.scalar(select(Payment.status)), account().card_declined) == ("failed", False)
    assert "Card: <strong>Visa ending in 3184</strong>" in text_of(client.get(f"/orders/{order.number}/pay"))


def _save_card_in_the_browser(client, localstripe, number: str) -> None:
    """The card form as Stripe.js drives it: the SetupIntent confirmed, with 3-D Secure when the
    bank asks (a second confirm once the cardholder answered), then posted to the app."""
    page = client.get("/payments/card").get_data(as_text=True)
    secret = re.search(r'data-client-secret="((seti_\w+?)_secret_\w+)"', page)
    setup_id, client_secret = secret.group(2), secret.group(1)
    if localstripe.confirm_setup(setup_id, client_secret, number)["status"] == "requires_action":
        import requests

        requests.post(f"{localstripe.base}/v1/setup_intents/{setup_id}/confirm",
                      json={"key": "pk_test_localstripe", "use_stripe_sdk": True, "client_secret": client_secret}, timeout=10).raise_for_status()
    assert client.post("/payments/card", data={"setup_intent_id": setup_id}).status_code == 303


def test_a_card_just_authenticated_when_saved_pays_its_first_order_off_session(app, client, auth, shop, localstripe, handed_off, monkeypatch):
    # given a buyer who saved its card through the card form, passing 3-D Secure there
    calls = []
    real = gateway.create_payment_intent
    monkeypatch.setattr(gateway, "create_payment_intent", lambda *a, **k: calls.append(k.get("off_session")) or real(*a, **k))
    auth.login("admin@reseller.test")
    _save_card_in_the_browser(client, localstripe, THREE_D_SECURE)
    saved = account()
    assert saved.card_set_up_at is not None and saved.card_last4 == "3184"
    # when it checks out by card at once
    add_to_cart(client, term_of(shop.reseller_plan), seats=6)
    place_order(client, open_checkout(client), payment_method="card")
    # then the payment is made on that authentication (off-session), as Stripe documents; the
    # stand-in (localstripe) ignores off_session and still asks, so only the request is checked here
    assert calls == [True]
    # and a card attached without the cardholder (no SetupIntent), or set up long ago, pays on-session
    assert not freshly_set_up(saved, "pm_other", saved.card_set_up_at)
    assert not freshly_set_up(saved, saved.default_payment_method_id,
                              saved.card_set_up_at + timedelta(seconds=app.config["CARD_SETUP_FRESH_SECONDS"] + 1))
    assert freshly_set_up(saved, saved.default_payment_method_id, saved.card_set_up_at + timedelta(minutes=5))


def test_a_card_on_file_without_a_setup_pays_on_session(client, auth, shop, card_on_file, localstripe, handed_off, monkeypatch):
    calls = []
    real = gateway.create_payment_intent
    monkeypatch.setattr(gateway, "create_payment_intent", lambda *a, **k: calls.append(k.get("off_session")) or real(*a, **k))
    card_on_file(shop.reseller, VISA)
    _check_out_by_card(client, auth, shop)
    assert calls == [False] and db.session.scalar(select(Order.payment_status)) == "paid"

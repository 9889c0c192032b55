"""/payments/orders/<id>/authenticate: the buyer completes 3-D Secure, then the app re-reads."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.payments.cards import set_default_card
from app.payments.errors import PaymentRequiresAction
from app.payments.models import Payment
from app.payments.service import start_card_payment
from tests import factories
from tests.stripe_support import THREE_D_SECURE


@pytest.fixture
def waiting_payment(localstripe, buyer, make_order):
    set_default_card(buyer.organisation, localstripe.card(THREE_D_SECURE))
    order = make_order(2_500)
    with pytest.raises(PaymentRequiresAction) as raised:
        start_card_payment(order.id, 2_500, "USD", buyer.organisation)
    return order.id, raised.value.intent


def _status(order_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Payment.status).where(Payment.order_id == order_id))


def test_the_page_hands_the_intent_to_stripe_js(client, auth, buyer, waiting_payment):
    order_id, intent = waiting_payment
    auth.login(buyer.admin.email)
    page = client.get(f"/payments/orders/{order_id}/authenticate").get_data(as_text=True)
    assert f'data-client-secret="{intent.client_secret}"' in page
    assert "confirm the payment of <strong>$25.00</strong>" in page


@pytest.mark.parametrize(("success", "status", "message"), [
    (True, "succeeded", "Payment confirmed. Thank you!"),
    (False, "failed", "The payment did not go through: The provided PaymentMethod has failed authentication."),
])
def test_after_the_bank_answered_the_app_records_the_outcome(client, auth, localstripe, buyer, waiting_payment, payment_hooks, success, status, message):
    order_id, intent = waiting_payment
    auth.login(buyer.admin.email)
    localstripe.authenticate(intent.id, intent.client_secret, success=success)
    response = client.post(f"/payments/orders/{order_id}/authenticate", data={"next": "/orders/1"})
    assert response.status_code == 303 and response.headers["Location"] == "/orders/1"
    assert _status(order_id) == status
    assert message in client.get("/").get_data(as_text=True)
    assert payment_hooks.succeeded == ([order_id] if success else [])


def test_another_organisation_and_members_cannot_reach_it(client, auth, buyer, waiting_payment):
    order_id, _ = waiting_payment
    other = factories.make_reseller(buyer.distributor, name="Other")
    factories.make_user(other, "admin@other.test")
    db.session.commit()
    auth.login("admin@other.test")
    assert client.get(f"/payments/orders/{order_id}/authenticate").status_code == 404
    assert client.post(f"/payments/orders/{order_id}/authenticate").status_code == 404
    auth.logout()
    auth.login(buyer.member.email)
    assert client.get(f"/payments/orders/{order_id}/authenticate").status_code == 403
    assert _status(order_id) == "requires_action"

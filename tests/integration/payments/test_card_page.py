"""/payments/card: admins save a card confirmed by Stripe.js; the CSP lets Stripe.js in."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.payments.cards import start_card_setup
from app.payments.models import PaymentAccount
from tests import factories


def _setup_secret(page: str) -> tuple[str, str]:
    secret = re.search(r'data-client-secret="((seti_\w+?)_secret_\w+)"', page)
    return secret.group(2), secret.group(1)


def test_an_admin_gets_the_card_form_with_stripe_js_allowed_by_the_csp(client, auth, localstripe, buyer):
    auth.login(buyer.admin.email)
    response = client.get("/payments/card")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No card saved yet." in page
    assert f'<script src="{localstripe.base}/js.stripe.com/v3/"></script>' in page
    assert 'data-publishable-key="pk_test_localstripe"' in page
    assert _setup_secret(page)[0].startswith("seti_")
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == f"'self' {localstripe.base}"
    assert policy["connect-src"] == f"'self' {localstripe.base}"
    assert policy["frame-src"] == f"'self' {localstripe.base}"
    assert policy["frame-ancestors"] == "'none'"


def test_the_csp_names_stripes_own_origins_for_the_real_api(app):
    from app.core.web import content_security_policy

    saved = app.config["STRIPE_API_BASE"]
    app.config["STRIPE_API_BASE"] = "https://api.stripe.com"
    try:
        policy = content_security_policy(app)
    finally:
        app.config["STRIPE_API_BASE"] = saved
    assert "script-src 'self' https://js.stripe.com;" in policy
    assert policy.endswith("; frame-src 'self' https://js.stripe.com https://hooks.stripe.com")
    assert "connect-src 'self' https://api.stripe.com;" in policy


def test_a_card_confirmed_in_the_browser_becomes_the_organisations_default(client, auth, localstripe, buyer):
    # given the card form, and the card confirmed by Stripe.js
    auth.login(buyer.admin.email)
    setup_id, secret = _setup_secret(client.get("/payments/card").get_data(as_text=True))
    localstripe.confirm_setup(setup_id, secret, "4242424242424242")
    # when the form posts the SetupIntent
    response = client.post("/payments/card", data={"setup_intent_id": setup_id, "next": "/payments/card?saved=1"})
    # then the card is saved and shown
    assert response.status_code == 303 and response.headers["Location"] == "/payments/card?saved=1"
    account = db.session.scalar(select(PaymentAccount))
    assert (account.card_brand, account.card_last4) == ("visa", "4242")
    assert account.default_payment_method_id.startswith("pm_")
    page = client.get("/payments/card").get_data(as_text=True)
    assert "Card Visa ending in 4242 saved for your orders and renewals." in page
    assert "Visa ending in 4242" in page


def test_a_setup_intent_of_another_organisation_saves_nothing(client, auth, localstripe, buyer):
    # given another organisation's confirmed SetupIntent
    other = factories.make_reseller(buyer.distributor, name="Other")
    db.session.commit()
    foreign = start_card_setup(other)
    localstripe.confirm_setup(foreign.id, foreign.client_secret)
    auth.login(buyer.admin.email)
    # when the buyer posts it as its own
    response = client.post("/payments/card", data={"setup_intent_id": foreign.id}, follow_redirects=True)
    # then it is refused and no card was saved for anyone
    assert "That card was not confirmed. Please enter it again." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PaymentAccount.id)).where(PaymentAccount.default_payment_method_id.is_not(None))) == 0


def test_an_unconfirmed_or_missing_setup_intent_saves_nothing(client, auth, localstripe, buyer):
    auth.login(buyer.admin.email)
    setup_id, _ = _setup_secret(client.get("/payments/card").get_data(as_text=True))
    unconfirmed = client.post("/payments/card", data={"setup_intent_id": setup_id}, follow_redirects=True)
    missing = client.post("/payments/card", data={}, follow_redirects=True)
    assert "That card was not confirmed." in unconfirmed.get_data(as_text=True)
    assert "Enter your card details in the form, then save." in missing.get_data(as_text=True)
    assert db.session.scalar(select(PaymentAccount.default_payment_method_id)) is None


def test_members_and_visitors_cannot_reach_the_card_form(client, auth, localstripe, buyer):
    assert client.get("/payments/card").status_code == 302
    auth.login(buyer.member.email)
    assert client.get("/payments/card").status_code == 403
    assert client.post("/payments/card", data={"setup_intent_id": "seti_x"}).status_code == 403
    assert db.session.scalar(select(func.count(PaymentAccount.id))) == 0

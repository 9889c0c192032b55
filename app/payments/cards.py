"""An organisation's account at the payment provider and its saved card."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.models import Organisation, Role, User
from app.core.locks import insert_if_absent, locked
from app.extensions import db
from app.payments import gateway
from app.payments.errors import CardDeclined
from app.core.clock import current_now
from app.payments.models import PaymentAccount

log = logging.getLogger(__name__)
NOT_CONFIRMED = "That card was not confirmed. Please enter it again."
# The provider's codes that say the card itself was refused (not that the buyer failed or
# skipped 3-D Secure, which says nothing against the card).
CARD_REFUSED_CODES = frozenset({"card_declined", "expired_card", "incorrect_cvc", "incorrect_number", "invalid_cvc",
                                "invalid_expiry_month", "invalid_expiry_year", "invalid_number"})


def payment_account(organisation: Organisation) -> PaymentAccount | None:
    return db.session.scalar(select(PaymentAccount).where(PaymentAccount.organisation_id == organisation.id))


def ensure_payment_account(organisation: Organisation) -> PaymentAccount:
    """The organisation's account with a provider customer, created once even when several
    requests ask at the same time. Commits when it creates anything."""
    account = payment_account(organisation)
    if account is not None and account.stripe_customer_id:
        return account
    insert_if_absent(PaymentAccount, {"organisation_id": organisation.id, "card_brand": "", "card_last4": ""}, key="organisation_id")
    account = locked(select(PaymentAccount).where(PaymentAccount.organisation_id == organisation.id))
    try:
        if not account.stripe_customer_id:
            name, email = _billing_contact(organisation)
            account.stripe_customer_id = gateway.ensure_customer(organisation.id, name, email)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return account


def _billing_contact(organisation: Organisation) -> tuple[str, str | None]:
    info = organisation.billing_info
    if info is not None:
        return info.legal_name, info.billing_email or _first_admin_email(organisation)
    return organisation.name, _first_admin_email(organisation)


def _first_admin_email(organisation: Organisation) -> str | None:
    return db.session.scalar(select(User.email).where(User.organisation_id == organisation.id, User.role == Role.ADMIN.value)
                             .order_by(User.id).limit(1))


def start_card_setup(organisation: Organisation) -> gateway.SetupIntentResult:
    """A SetupIntent for the card form (its client secret goes to Stripe.js)."""
    account = ensure_payment_account(organisation)
    return gateway.create_setup_intent(account.stripe_customer_id)


def save_card_from_setup(organisation: Organisation, setup_intent_id: str, now: datetime | None = None) -> gateway.CardDetails:
    """Make the card confirmed in the browser through ``setup_intent_id`` the organisation's
    default. Raises ``CardDeclined`` when that SetupIntent is not this organisation's or did not
    succeed; nothing changes then. Commits."""
    account = ensure_payment_account(organisation)
    setup = gateway.retrieve_setup_intent(setup_intent_id)
    if setup.customer_id != account.stripe_customer_id or setup.status != "succeeded" or not setup.payment_method_id:
        log.warning("organisation %s: setup intent %s not usable (%s, customer %s)", organisation.id, setup_intent_id, setup.status, setup.customer_id)
        raise CardDeclined(NOT_CONFIRMED)
    return set_default_card(organisation, setup.payment_method_id, set_up_at=now or current_now())


def set_default_card(organisation: Organisation, payment_method_id: str, set_up_at: datetime | None = None) -> gateway.CardDetails:
    """Attach ``payment_method_id`` to the organisation's customer, make it the default for
    later orders and renewals, and remember brand and last digits for display; a new card has
    no decline against it. ``set_up_at``: when the cardholder confirmed it through a
    SetupIntent (``None``: attached without one). Commits."""
    account = ensure_payment_account(organisation)
    card = gateway.set_default_payment_method(account.stripe_customer_id, payment_method_id)
    account.default_payment_method_id = card.payment_method_id
    account.card_brand, account.card_last4 = card.brand[:20], card.last4[:4]
    account.card_exp_month, account.card_exp_year = card.exp_month, card.exp_year
    account.card_set_up_at = set_up_at
    account.card_declined_at, account.card_decline_reason = None, ""
    db.session.commit()
    return card


def freshly_set_up(account: PaymentAccount, payment_method_id: str, now: datetime) -> bool:
    """Whether ``payment_method_id`` is the account's card, confirmed by the cardholder through
    a SetupIntent within ``CARD_SETUP_FRESH_SECONDS``: its first payment can rely on that
    authentication instead of asking for 3-D Secure again."""
    if account.default_payment_method_id != payment_method_id or account.card_set_up_at is None:
        return False
    return now - account.card_set_up_at <= timedelta(seconds=current_app.config["CARD_SETUP_FRESH_SECONDS"])


def note_card_outcome(intent: gateway.IntentResult, now: datetime) -> None:
    """Remember on the account whose card it is what the bank said at a payment: a refusal
    marks the card declined (pages then offer another card first); a success clears that. In
    the caller's transaction."""
    refused = intent.status in ("requires_payment_method", "canceled") and intent.failure_code in CARD_REFUSED_CODES
    if not intent.payment_method_id or not (refused or intent.status == "succeeded"):
        return
    account = db.session.scalar(select(PaymentAccount).where(PaymentAccount.default_payment_method_id == intent.payment_method_id))
    if account is None:
        return
    if refused:
        account.card_declined_at, account.card_decline_reason = now, (intent.failure_message or "Your card was declined.")[:500]
    else:
        account.card_declined_at, account.card_decline_reason = None, ""

"""An organisation's account at the payment provider and its saved card."""
from __future__ import annotations

import logging

from sqlalchemy import select

from app.accounts.models import Organisation, Role, User
from app.core.locks import insert_if_absent, locked
from app.extensions import db
from app.payments import gateway
from app.payments.errors import CardDeclined
from app.payments.models import PaymentAccount

log = logging.getLogger(__name__)
NOT_CONFIRMED = "That card was not confirmed. Please enter it again."


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


def save_card_from_setup(organisation: Organisation, setup_intent_id: str) -> gateway.CardDetails:
    """Make the card confirmed in the browser through ``setup_intent_id`` the organisation's
    default. Raises ``CardDeclined`` when that SetupIntent is not this organisation's or did not
    succeed; nothing changes then. Commits."""
    account = ensure_payment_account(organisation)
    setup = gateway.retrieve_setup_intent(setup_intent_id)
    if setup.customer_id != account.stripe_customer_id or setup.status != "succeeded" or not setup.payment_method_id:
        log.warning("organisation %s: setup intent %s not usable (%s, customer %s)", organisation.id, setup_intent_id, setup.status, setup.customer_id)
        raise CardDeclined(NOT_CONFIRMED)
    return set_default_card(organisation, setup.payment_method_id)


def set_default_card(organisation: Organisation, payment_method_id: str) -> gateway.CardDetails:
    """Attach ``payment_method_id`` to the organisation's customer, make it the default for
    later orders and renewals, and remember brand and last digits for display. Commits."""
    account = ensure_payment_account(organisation)
    card = gateway.set_default_payment_method(account.stripe_customer_id, payment_method_id)
    account.default_payment_method_id = card.payment_method_id
    account.card_brand, account.card_last4 = card.brand[:20], card.last4[:4]
    account.card_exp_month, account.card_exp_year = card.exp_month, card.exp_year
    db.session.commit()
    return card

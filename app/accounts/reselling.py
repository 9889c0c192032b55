"""What distributor staff set on an organisation: reselling on or off (who and when), the
on-account credit limit and the payment terms.

Reselling is read from the organisation row by every panel's guard on each request
(``app.accounts.access.is_reseller``), so switching it off takes effect on the reseller's very
next request. Every change is recorded in the organisation's activity log.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from sqlalchemy import select

from app.accounts.activity import record_activity
from app.accounts.models import Organisation, OrganisationKind
from app.core.errors import Refusal, RefusalKind
from app.core.locks import locked_one
from app.extensions import db

MAX_CREDIT_MINOR_UNITS = 10**12  # far above any real limit, far below an overflow
PAYMENT_TERMS_CHOICES = (0, 7, 14, 15, 30, 45, 60, 90)
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,3})?$")


class OrganisationSettingRefused(Refusal):
    """The setting cannot be saved as given; nothing changed. ``field`` names the input."""

    kind = RefusalKind.INVALID

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _locked(organisation_id: int) -> Organisation:
    return locked_one(select(Organisation).where(Organisation.id == organisation_id))


def set_reselling(organisation_id: int, enabled: bool, *, actor, now: datetime) -> Organisation:
    """Switches reselling on or off for a reseller-kind organisation, stamping who and when
    (unchanged when it already is so). Customers and the distributor are refused: a customer
    has a seller, and the distributor sells by nature. Not committed."""
    organisation = _locked(organisation_id)
    if organisation.kind != OrganisationKind.RESELLER.value:
        raise OrganisationSettingRefused(f"{organisation.name} is a {organisation.kind}: only reseller accounts can resell.")
    if organisation.reselling_enabled == enabled:
        return organisation
    organisation.reselling_enabled = enabled
    organisation.reselling_changed_at = now
    organisation.reselling_changed_by_id = actor.id if actor is not None else None
    what = "enabled" if enabled else "disabled"
    record_activity(organisation.id, f"reselling.{what}", f"Reselling {what} by the distributor", actor=actor,
                    subject=organisation, now=now)
    db.session.flush()
    return organisation


def parse_money(text: str | None, currency: str) -> int | None:
    """A typed amount in ``currency`` as minor units; empty means none. Digits with at most the
    currency's decimals, no sign, no thousands separators."""
    value = (text or "").strip()
    if not value:
        return None
    precision = get_currency_precision(currency)
    if not _AMOUNT.match(value):
        raise OrganisationSettingRefused("Enter the amount as digits, e.g. 5000 or 5000.00 (no sign, no separators).",
                                         "credit_limit")
    try:
        amount = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise OrganisationSettingRefused("Enter the amount as digits.", "credit_limit") from None
    minor = amount.scaleb(precision)
    if minor != minor.to_integral_value():
        raise OrganisationSettingRefused(f"{currency} has {precision} decimal places: enter at most that many.", "credit_limit")
    if minor > MAX_CREDIT_MINOR_UNITS:
        raise OrganisationSettingRefused("That credit limit is too large.", "credit_limit")
    return int(minor)


def parse_terms(text: str | None) -> int:
    value = (text or "").strip()
    if not value.isdigit() or int(value) not in PAYMENT_TERMS_CHOICES:
        choices = ", ".join(str(days) for days in PAYMENT_TERMS_CHOICES)
        raise OrganisationSettingRefused(f"Choose payment terms of {choices} days.", "payment_terms_days")
    return int(value)


@dataclass(frozen=True)
class AccountTerms:
    credit_limit: int | None  # minor units of the organisation's marketplace currency; None: card only
    payment_terms_days: int


def set_account_terms(organisation_id: int, credit_limit_text: str | None, terms_text: str | None, *, actor,
                      now: datetime) -> AccountTerms:
    """Sets the on-account credit limit (empty: none, card only) in the organisation's
    marketplace currency, and its payment terms in days. Validates both before writing either;
    refuses the distributor (it does not buy). Not committed."""
    organisation = _locked(organisation_id)
    if organisation.is_distributor:
        raise OrganisationSettingRefused("The distributor does not buy on account.")
    if organisation.marketplace is None:
        raise OrganisationSettingRefused(f"{organisation.name} has no marketplace, so no currency for a credit limit.")
    terms = AccountTerms(parse_money(credit_limit_text, organisation.marketplace.currency), parse_terms(terms_text))
    if (organisation.credit_limit, organisation.payment_terms_days) != (terms.credit_limit, terms.payment_terms_days):
        organisation.credit_limit, organisation.payment_terms_days = terms.credit_limit, terms.payment_terms_days
        limit = "none (card only)" if terms.credit_limit is None else f"{terms.credit_limit} minor units of {organisation.marketplace.currency}"
        record_activity(organisation.id, "account_terms.changed",
                        f"Credit limit {limit}; payment terms net {terms.payment_terms_days}", actor=actor,
                        subject=organisation, now=now)
        db.session.flush()
    return terms

"""The credit an on-account organisation has left (invoices are issued by ``invoicing``)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.billing.invoicing import PAYMENT_TERMS, invoice_order  # noqa: F401  (re-exported)
from app.billing.models import Invoice, InvoiceStatus, PaymentMethodName
from app.catalog.reference import all_marketplaces
from app.extensions import db
from app.money import Money


def credit_currency(organisation) -> str | None:
    """Credit limits are in the currency of the organisation's own marketplace."""
    marketplace = all_marketplaces().by_id.get(organisation.marketplace_id)  # a snapshot: no query
    return marketplace.currency if marketplace is not None else None


def open_on_account_total(organisation_id: int, currency: str) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Invoice.total), 0)).where(
            Invoice.organisation_id == organisation_id,
            Invoice.currency == currency,
            Invoice.payment_method == PaymentMethodName.ON_ACCOUNT.value,
            Invoice.status == InvoiceStatus.OPEN.value,
        )
    ) or 0


def remaining_credit(organisation) -> Money | None:
    """Credit limit minus the open on-account invoices; ``None`` without a credit limit.

    Callers that go on to spend it hold the organisation's row lock (see the checkout)."""
    currency = credit_currency(organisation)
    if organisation.credit_limit is None or currency is None:
        return None
    return Money(organisation.credit_limit - open_on_account_total(organisation.id, currency), currency)

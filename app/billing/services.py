"""An organisation's billing information, and the credit an on-account organisation has used
and has left (invoices are issued by ``invoicing``)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal, select

from app.accounts.activity import record_activity
from app.accounts.models import BillingInfo

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
    """The sum of the organisation's open on-account invoices in ``currency``: one aggregate over
    the partial index ``ix_invoice_open_on_account``, which holds only such invoices."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Invoice.total), 0)).where(
            Invoice.organisation_id == organisation_id,
            Invoice.currency == currency,
            # Written into the statement, not bound: so every plan, prepared ones too, matches
            # them with the index's condition.
            Invoice.payment_method == literal(PaymentMethodName.ON_ACCOUNT.value, literal_execute=True),
            Invoice.status == literal(InvoiceStatus.OPEN.value, literal_execute=True),
        )
    ) or 0


@dataclass(frozen=True)
class CreditPosition:
    """An on-account organisation's credit: its ``limit``, what is ``used`` and what is left
    (``remaining``, below zero when invoices went over the limit), all in one currency."""

    limit: Money
    used: Money

    @property
    def remaining(self) -> Money:
        return Money(self.limit.amount - self.used.amount, self.limit.currency)

    @property
    def used_percent(self) -> int:
        """Share of the limit used, 0..100 (for a progress bar)."""
        if self.limit.amount <= 0:
            return 100 if self.used.amount > 0 else 0
        return max(0, min(100, self.used.amount * 100 // self.limit.amount))


def credit_position(organisation) -> CreditPosition | None:
    """The organisation's credit limit, used and remaining; ``None`` without a credit limit.

    Used is the total of its open on-account invoices: the one rule the checkout's credit check
    applies (``remaining_credit``). An order placed on account is invoiced as it is placed
    (``OnAccount.collect``), so its unpaid orders are exactly these open invoices, never counted
    twice; an invoice leaves the sum when it is paid or voided."""
    currency = credit_currency(organisation)
    if organisation.credit_limit is None or currency is None:
        return None
    return CreditPosition(Money(organisation.credit_limit, currency),
                          Money(open_on_account_total(organisation.id, currency), currency))


def remaining_credit(organisation) -> Money | None:
    """Credit limit minus the open on-account invoices; ``None`` without a credit limit.

    Callers that go on to spend it hold the organisation's row lock (see the checkout)."""
    position = credit_position(organisation)
    return position.remaining if position is not None else None


BILLING_FIELDS = ("legal_name", "address_line1", "address_line2", "city", "postal_code", "country", "tax_id", "billing_email")


def save_billing_info(organisation, values: dict, *, actor=None) -> BillingInfo:
    """Sets ``organisation``'s billing information from ``values`` (the fields of
    ``BillingInfoForm``, validated by it): created on first save, trimmed, the tax ID in capitals;
    recorded in its activity log as done by ``actor``. Flushed, not committed."""
    info = organisation.billing_info
    if info is None:
        info = BillingInfo(organisation_id=organisation.id)
        db.session.add(info)
        organisation.billing_info = info
    for name in BILLING_FIELDS:
        setattr(info, name, (values.get(name) or "").strip())
    info.tax_id = info.tax_id.upper()
    db.session.flush()
    record_activity(organisation.id, "billing.updated", f"Billing information saved: {info.legal_name}, {info.city}, {info.country}",
                    actor=actor, subject=info)
    return info

"""Read side of invoices, scoped by ``TenantScope``: one invoice to its payer, the payer's reseller
and staff; the list to the payer only."""
from __future__ import annotations

from flask import abort, current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.access import TenantScope
from app.billing.models import Invoice, InvoiceStatus
from app.billing.seller import legal_details_of
from app.extensions import db

STATUSES = tuple(status.value for status in InvoiceStatus)


def invoice_for(number: str, organisation) -> Invoice:
    """The invoice with this number if ``organisation`` may see it (it pays it, sells to its
    payer, or is the distributor), else 404."""
    if not number or len(number) > 30:
        abort(404)
    statement = select(Invoice).where(Invoice.number == number).options(
        selectinload(Invoice.lines), joinedload(Invoice.order), joinedload(Invoice.organisation),
        joinedload(Invoice.seller))
    return TenantScope(organisation).one_or_404(statement, Invoice.organisation_id)


def _listing(status: str | None):
    statement = select(Invoice).options(joinedload(Invoice.organisation), joinedload(Invoice.order))
    if status in STATUSES:
        statement = statement.where(Invoice.status == status)
    return statement.order_by(Invoice.issued_at.desc(), Invoice.id.desc())


def invoices_page(organisation, page: int, status: str | None = None, per_page: int = 20):
    """The invoices ``organisation`` pays, newest first (staff too see only their own here)."""
    scope = TenantScope(organisation, customers=False, staff_sees_all=False)
    statement = scope.filter(_listing(status), Invoice.organisation_id)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def all_invoices_page(page: int, status: str | None = None, per_page: int = 50):
    """Every invoice (the back office)."""
    return db.paginate(_listing(status), page=page, per_page=per_page, error_out=False)


def invoice_locale(invoice: Invoice) -> str:
    marketplace = invoice.order.marketplace if invoice.order is not None else invoice.organisation.marketplace
    return marketplace.locale if marketplace is not None else "en_US"


def seller_details(invoice: Invoice) -> dict:
    """Who the invoice is from: the seller's details as issued (today's, for an invoice issued
    before they were kept)."""
    return invoice.seller_details or legal_details_of(invoice.seller, current_app.config)
"""Billing: billing information, invoices, on-account credit."""
from flask import Blueprint

from app.money import Money

bp = Blueprint("billing", __name__)

from app.billing import invoice_routes, routes  # noqa: E402,F401


@bp.app_template_filter("minor_in")
def minor_in_locale(amount: int, currency: str, locale: str) -> str:
    """``{{ 1250 | minor_in("EUR", "de_DE") }}`` -> "12,50 €": a document's own locale."""
    return Money(int(amount), currency).format(locale)

"""Quotes as the API shows them: the checkout's ``Quote`` (orders) and a change's preview
(subscriptions), money in minor units with the currency."""
from __future__ import annotations

import marshmallow as ma

from app.api.common import MoneySchema, money


class QuoteItemSchema(ma.Schema):
    description = ma.fields.String(required=True)
    resource_code = ma.fields.String(required=True, metadata={"description": "Empty for the plan term itself."})
    unit_price = ma.fields.Nested(MoneySchema, required=True)
    quantity = ma.fields.Integer(required=True)
    period_fraction = ma.fields.String(allow_none=True, metadata={"description": "e.g. 18/30 when prorated."})
    subtotal = ma.fields.Nested(MoneySchema, required=True)
    one_time = ma.fields.Boolean(required=True)
    billed_later = ma.fields.Boolean(required=True)


class QuoteLineSchema(ma.Schema):
    description = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    plan_term_id = ma.fields.Integer(allow_none=True)
    subscription_id = ma.fields.Integer(allow_none=True)
    beneficiary = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(QuoteItemSchema), required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)


class QuoteSchema(ma.Schema):
    currency = ma.fields.String(required=True)
    lines = ma.fields.List(ma.fields.Nested(QuoteLineSchema), required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)
    tax_rate_bp = ma.fields.Integer(required=True, metadata={"description": "Basis points: 2000 = 20 %."})
    tax = ma.fields.Nested(MoneySchema, required=True)
    reverse_charge = ma.fields.Boolean(required=True)
    total = ma.fields.Nested(MoneySchema, required=True)
    fingerprint = ma.fields.String(required=True, metadata={"description": "Send it back to confirm these amounts."})


def quote_dict(quote) -> dict:
    currency = quote.currency
    return {
        "currency": currency,
        "lines": [{
            "description": line.description, "kind": line.kind, "plan_term_id": line.plan_term_id,
            "subscription_id": line.subscription_id, "beneficiary": line.beneficiary_label,
            "items": [{"description": item.description, "resource_code": item.resource_code,
                       "unit_price": money(item.unit_price, currency), "quantity": item.quantity,
                       "period_fraction": str(item.period_fraction) if item.period_fraction is not None else None,
                       "subtotal": money(item.subtotal, currency), "one_time": item.one_time,
                       "billed_later": item.billed_later} for item in line.items],
            "subtotal": money(line.subtotal, currency),
        } for line in quote.lines],
        "subtotal": money(quote.subtotal, currency), "tax_rate_bp": quote.tax_rate_bp, "tax": money(quote.tax, currency),
        "reverse_charge": quote.reverse_charge, "total": money(quote.total, currency), "fingerprint": quote.fingerprint,
    }


def quote_of_refusal(quote) -> dict:
    """The new quote a ``QuoteChanged`` carries: a checkout ``Quote`` or a change preview."""
    order_quote = getattr(quote, "order_quote", None)
    if order_quote is not None:  # a change: confirm with the change's own fingerprint
        return {**quote_dict(order_quote), "fingerprint": quote.change.fingerprint}
    return quote_dict(quote)

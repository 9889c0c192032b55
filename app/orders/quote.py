"""The quote: what an order will charge, line by line, with tax and total. Plain functions.

- An **item** is unit price x quantity (x the period fraction for a prorated item), rounded
  half up to the minor unit by ``app.plans.proration.prorate``, the one proration of purchases
  and changes alike. Items of a free first month (postponed billing) are shown but
  charged 0 now: the first invoice comes when the free month ends.
- A **line** is a list of items; its subtotal is their sum, never below zero (a credit against
  a current subscription never turns a line into a refund).
- The **quote**'s subtotal is the sum of its lines; tax is the marketplace's rate on the
  subtotal, rounded half up, or 0 under the reverse-charge rule (``app.billing.tax``);
  total = subtotal + tax.
- The **fingerprint** is a SHA-256 of the quote's canonical content: placing an order requires
  the fingerprint the buyer saw, so a price that changed in between is confirmed again.

Lines are either ``purchase`` (a new subscription, priced by ``price_purchase``) or ``change``
(a prorated change of an existing subscription: items with a ``period_fraction`` and perhaps a
``credit`` item; priced by the subscription-change service).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from app.money import Money, apply_basis_points
from app.plans.proration import WHOLE, prorate


@dataclass(frozen=True)
class QuoteItem:
    description: str
    unit_price: int  # minor units
    quantity: int
    subtotal: int  # minor units, rounded half up
    resource_code: str = ""  # "" for the plan term itself
    period_fraction: Fraction | None = None  # None: a whole billing period, or a one-time charge
    one_time: bool = False
    billed_later: bool = False  # postponed billing: charged with the first invoice, not now


def charge(description: str, unit_price: int, quantity: int, *, resource_code: str = "",
           period_fraction: Fraction | None = None, one_time: bool = False, billed_later: bool = False) -> QuoteItem:
    if unit_price < 0 or quantity < 0:
        raise ValueError("a charge has a non-negative price and quantity; use credit() for credits")
    if period_fraction is not None and not 0 <= period_fraction <= 1:
        raise ValueError("a period fraction lies between 0 and 1")
    subtotal = 0 if billed_later else prorate(unit_price, quantity, WHOLE if period_fraction is None else period_fraction)
    return QuoteItem(description, unit_price, quantity, subtotal, resource_code, period_fraction, one_time, billed_later)


def credit(description: str, amount: int, *, period_fraction: Fraction | None = None) -> QuoteItem:
    """A credit of ``amount`` minor units (e.g. the unused part of the current period)."""
    if amount < 0:
        raise ValueError("give the credit as a positive amount")
    return QuoteItem(description, -amount, 1, -amount, period_fraction=period_fraction)


@dataclass(frozen=True)
class QuoteLine:
    description: str
    items: tuple[QuoteItem, ...]
    kind: str = "purchase"  # "purchase" | "change"
    plan_term_id: int | None = None
    subscription_id: int | None = None  # the subscription a change line changes
    beneficiary_label: str = ""

    @property
    def subtotal(self) -> int:
        return max(0, sum(item.subtotal for item in self.items))


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: tuple[QuoteLine, ...]
    subtotal: int
    tax_rate_bp: int
    tax: int
    reverse_charge: bool
    total: int
    fingerprint: str

    def money(self, amount: int) -> Money:
        return Money(amount, self.currency)

    @property
    def has_billed_later(self) -> bool:
        return any(item.billed_later for line in self.lines for item in line.items)


def build_quote(lines: Sequence[QuoteLine], currency: str, tax_rate_bp: int, reverse_charge: bool) -> Quote:
    """Totals and fingerprint of priced lines (see the module's rules)."""
    lines = tuple(lines)
    subtotal = sum(line.subtotal for line in lines)
    tax = 0 if reverse_charge else apply_basis_points(subtotal, tax_rate_bp)
    total = subtotal + tax
    content = {
        "currency": currency,
        "lines": [_line_content(line) for line in lines],
        "subtotal": subtotal,
        "tax_rate_bp": tax_rate_bp,
        "reverse_charge": reverse_charge,
        "tax": tax,
        "total": total,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()
    return Quote(currency, lines, subtotal, tax_rate_bp, tax, reverse_charge, total, fingerprint)


def _line_content(line: QuoteLine) -> dict:
    return {
        "kind": line.kind,
        "description": line.description,
        "plan_term_id": line.plan_term_id,
        "subscription_id": line.subscription_id,
        "beneficiary": line.beneficiary_label,
        "items": [
            [item.description, item.resource_code, item.unit_price, item.quantity,
             str(item.period_fraction) if item.period_fraction is not None else None,
             item.one_time, item.billed_later, item.subtotal]
            for item in line.items
        ],
    }


def line_description(term) -> str:
    return f"{term.plan.product.name} · {term.plan.name} ({term.name})"


def price_purchase(request, term, book, beneficiary_label: str = "") -> QuoteLine:
    """A purchase line: the plan term's price, then each resource above what it includes.

    ``request`` is a validated ``LineRequest`` (every quantity present); ``book`` is the
    buyer's ``PriceBook``: a reseller buying for a customer pays its reseller cost."""
    plan = term.plan
    # A free first month bills from its end; a postpaid plan bills each period at its end, on
    # its peak (app.plans.renewal): neither is charged at placing.
    later = bool(request.postponed_billing) or plan.payment_model == "postpaid"
    items = [charge(f"{plan.name}, {term.name.lower()} subscription", book.plan_term(term.id).amount, 1, billed_later=later)]
    for pr in plan.resources:
        resource = pr.resource
        extra = request.quantities.get(resource.code, 0) - pr.included
        if extra <= 0:
            continue
        unit_price = book.resource(term.id, resource.id).amount
        if resource.is_one_time:
            items.append(charge(resource.name, unit_price, extra, resource_code=resource.code, one_time=True))
        else:
            label = f"{resource.name} beyond the {pr.included} included" if pr.included else resource.name
            items.append(charge(label, unit_price, extra, resource_code=resource.code, billed_later=later))
    return QuoteLine(line_description(term), tuple(items), "purchase", term.id, None, beneficiary_label)

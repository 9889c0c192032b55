"""The cart page's content: each line with its problems and its price for whoever looks."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.catalog.pricing import PriceBook, PriceNotSet, viewer_for
from app.orders.checkout import beneficiary_labels, purchaser_for
from app.billing.tax import reverse_charge_for
from app.orders.lines import load_plan_terms
from app.orders.quote import Quote, QuoteLine, build_quote, price_purchase
from app.orders.validation import Problem, line_problems


@dataclass
class CartRow:
    entry: object  # CartEntry
    term: object | None  # PlanTerm
    beneficiary_label: str
    problems: list[Problem] = field(default_factory=list)
    priced: QuoteLine | None = None

    def has_problem(self, field_name: str) -> bool:
        return any(problem.field == field_name for problem in self.problems)

    @property
    def adjustable(self) -> list:
        """The plan's resources whose quantity the buyer may choose."""
        return [pr for pr in self.term.plan.resources if pr.minimum != pr.maximum] if self.term is not None else []


@dataclass
class CartSummary:
    rows: list[CartRow]
    estimate: Quote  # the lines that could be priced

    @property
    def ready(self) -> bool:
        return bool(self.rows) and not any(row.problems for row in self.rows)


def summarise(entries, marketplace, buyer) -> CartSummary:
    """Validates and prices every line for ``buyer`` (``None``: anonymous) in a fixed number of
    queries whatever the number of lines."""
    plan_terms = load_plan_terms(entry.request.plan_term_id for entry in entries)
    book = PriceBook(viewer_for(buyer), marketplace).load(plan_terms)
    purchaser = purchaser_for(buyer, [entry.request for entry in entries])
    labels = beneficiary_labels([entry.request for entry in entries], buyer)
    rows = []
    for entry, label in zip(entries, labels):
        term = plan_terms.get(entry.request.plan_term_id)
        problems, cleaned = line_problems(entry.request, term, marketplace, book, purchaser)
        row = CartRow(entry, term, label, problems)
        if term is not None:
            try:
                row.priced = price_purchase(cleaned, term, book, label)
            except PriceNotSet:
                row.priced = None
        rows.append(row)
    priced = [row.priced for row in rows if row.priced is not None]
    estimate = build_quote(priced, marketplace.currency, marketplace.tax_rate_bp, reverse_charge_for(buyer, marketplace))
    return CartSummary(rows, estimate)

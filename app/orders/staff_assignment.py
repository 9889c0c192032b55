"""Distributor staff assign a Reseller Storefront plan to a reseller from its organisation page
(seed 003: "Distributors can upgrade a reseller ... by activating a subscription in the BSS").

It is an ordinary order of the reseller through the one checkout (``prepare`` and
``place_order``): the same eligibility rule (reselling enabled), the reseller's cost price, the
quote staff saw (its fingerprint), on account within the reseller's credit limit, invoiced to
the reseller and handed to provisioning like any purchase. We chose this over a zero-priced
"complimentary" order: it needs no second pricing path, and the reseller is billed for Standard
as if it had bought it itself (Free costs nothing). ``placed_by`` is None (the organisation, not
a user of it, places it); the staff member is named in the reseller's activity log, and the
distributor accepts the marketplace's and vendor's terms on the reseller's behalf (recorded on
the order as every acceptance is).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.accounts.activity import record_activity
from app.accounts.models import Organisation
from app.billing.models import PaymentMethodName
from app.catalog.models import Plan, PlanTerm, Product
from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.orders.checkout import CheckoutRequest, Preview, place_order, prepare
from app.orders.lines import LineRequest
from app.orders.models import Order
from app.orders.validation import effective_quantities

STOREFRONT_CONNECTOR = "reseller_storefront"


class AssignmentRefused(Refusal):
    kind = RefusalKind.INVALID


@dataclass(frozen=True)
class AssignableTerm:
    term: PlanTerm
    preview: Preview | None  # None: refused, see ``problem``
    problem: str = ""


def storefront_terms() -> list[PlanTerm]:
    """Every published term of the published storefront plans for resellers."""
    return list(db.session.scalars(
        select(PlanTerm).join(Plan, Plan.id == PlanTerm.plan_id).join(Product, Product.id == Plan.product_id)
        .where(Product.connector == STOREFRONT_CONNECTOR, Product.published.is_(True), Plan.published.is_(True),
               Plan.audience == "reseller").order_by(Plan.position, Plan.id, PlanTerm.period_months)))


def _line(term: PlanTerm) -> LineRequest:
    return LineRequest(term.id, quantities=effective_quantities(term.plan, {}))


def assignable_terms(organisation: Organisation) -> list[AssignableTerm]:
    """Each storefront plan term with the quote the reseller would be charged, or why not."""
    found = []
    for term in storefront_terms():
        try:
            found.append(AssignableTerm(term, prepare(organisation, organisation.marketplace, [_line(term)])))
        except Refusal as refusal:
            found.append(AssignableTerm(term, None, str(refusal)))
    return found


def assign_storefront_plan(organisation_id: int, plan_term_id: int, fingerprint: str, idempotency_key: str, *,
                           staff_user, now: datetime) -> Order:
    """Places the reseller's order for the storefront plan term, at the quote staff confirmed
    (``QuoteChanged`` otherwise), and commits; any refusal of the checkout (not eligible, no
    billing information, over the credit limit) is raised and nothing is written."""
    organisation = db.session.get(Organisation, organisation_id)
    term = db.session.get(PlanTerm, plan_term_id)
    if organisation is None or term is None or term.id not in {t.id for t in storefront_terms()}:
        raise AssignmentRefused("Choose one of the storefront plans listed.")
    if organisation.marketplace is None:
        raise AssignmentRefused(f"{organisation.name} has no marketplace to buy in.")
    preview = prepare(organisation, organisation.marketplace, [_line(term)])
    request = CheckoutRequest(buyer=organisation, placed_by=None, marketplace=organisation.marketplace, lines=preview.lines,
                              idempotency_key=idempotency_key, fingerprint=fingerprint,
                              accepted_terms=frozenset(terms.token for terms in preview.terms),
                              payment_method=PaymentMethodName.ON_ACCOUNT.value)
    order = place_order(request, now, preview)
    record_activity(organisation.id, "storefront.assigned", f"{term.plan.name} ({term.name}) assigned by the distributor: order {order.number}",
                    actor=staff_user, subject=order, now=now)
    db.session.commit()
    return order

"""What a subscription's page shows beside its quantities: what each resource costs per billing
period at the customer's price, the invoices the viewer may open, and the provisioning history
(every fulfillment request with its state, dates and what happens next). Each collection is one
query, never one per row; every read of tenant data goes through the viewer's ``TenantScope``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.accounts.access import TenantScope
from app.billing.models import Invoice
from app.catalog.models import ResourceKind
from app.catalog.pricing import PriceNotSet
from app.extensions import db
from app.orders.models import Order, OrderLine
from app.plans.proration import billable_units
from app.plans.term_prices import term_prices_now
from app.provisioning.models import FulfillmentRequest, RequestState
from app.provisioning.progress import LineProgress

INVOICES_SHOWN = 50
REQUESTS_SHOWN = 50


@dataclass(frozen=True)
class AmountRow:
    name: str
    quantity: int
    included: int
    billable: int  # units above the included quantity
    unit_price: int  # the customer's price per unit and period (or once, for a one-time resource)
    amount: int  # billable x unit price
    one_time: bool


@dataclass(frozen=True)
class PeriodAmounts:
    """The customer's price of the subscription as it stands: the plan per billing period, each
    resource above its included quantity, and their sum (one-time resources are not repeated)."""

    currency: str
    plan_price: int
    rows: tuple[AmountRow, ...]

    @property
    def recurring_total(self) -> int:
        return self.plan_price + sum(row.amount for row in self.rows if not row.one_time)


def period_amounts(subscription) -> PeriodAmounts | None:
    """The amounts at the prices locked for the subscription's term (today's price book for a
    resource the lock lacks, or when nothing is locked yet); None when a price is not set."""
    try:
        prices = term_prices_now(subscription)
        rows = []
        for plan_resource in subscription.plan.resources:
            resource = plan_resource.resource
            quantity = subscription.quantity_of(resource.id)
            units = billable_units(quantity, plan_resource.included)
            unit_price = prices.resource(resource.id).customer
            rows.append(AmountRow(resource.name, quantity, plan_resource.included, units, unit_price, units * unit_price,
                                  resource.kind == ResourceKind.ONE_TIME.value))
    except PriceNotSet:
        return None
    return PeriodAmounts(subscription.currency, prices.plan.customer, tuple(rows))


def invoices_of(subscription, organisation) -> list[Invoice]:
    """The invoices of ``subscription`` that ``organisation`` may open (those it pays and, for
    a reseller, its customers'; staff all), newest first, in one query: its renewals and credit
    notes, and the invoices of the orders that bought or changed it."""
    orders = select(OrderLine.order_id).where(OrderLine.subscription_id == subscription.id)
    statement = (select(Invoice)
                 .where(or_(Invoice.subscription_id == subscription.id, Invoice.order_id.in_(orders)))
                 .order_by(Invoice.issued_at.desc(), Invoice.id.desc()).limit(INVOICES_SHOWN))
    return list(db.session.scalars(TenantScope(organisation).filter(statement, Invoice.organisation_id)))


S = RequestState
TYPE_LABELS = {"purchase": "Set-up", "change": "Change of quantities", "cancel": "Cancellation",
               "resume": "Resumption", "suspend": "Suspension"}


@dataclass(frozen=True)
class RequestEntry:
    """One fulfillment request as its subscription's page shows it."""

    request: FulfillmentRequest
    order_number: str | None

    @property
    def what(self) -> str:
        return TYPE_LABELS.get(self.request.type, self.request.type.capitalize())

    @property
    def state(self) -> str:
        return self.request.state

    @property
    def label(self) -> str:
        """The state in the order page's words (``provisioning.progress`` words them once)."""
        return LineProgress(self.request, self.what).label

    @property
    def badge(self) -> str:
        return LineProgress(self.request, self.what).badge

    @property
    def finished_at(self) -> datetime | None:
        return self.request.completed_at or self.request.failed_at

    @property
    def next_step(self) -> str:
        """What happens next, in the buyer's words (no vendor internals)."""
        request = self.request
        if self.state == S.COMPLETED.value:
            return ""
        if self.state == S.FAILED.value:
            return ("The vendor could not complete it. Our team has been notified and will retry; "
                    "you will get an e-mail when it is done. You do not need to do anything.")
        if self.state == S.INQUIRING.value:
            return "The vendor needs an answer: open the order to give it."
        if request.attempts and request.next_attempt_at is not None:
            return f"The vendor did not answer; the next attempt is on {request.next_attempt_at:%d %b %Y %H:%M} UTC."
        if request.awaits_vendor:
            return "The vendor accepted it and will confirm when it is done."
        return "Queued: this page updates by itself."


@dataclass(frozen=True)
class ProvisioningHistory:
    entries: list[RequestEntry]

    @property
    def polling(self) -> bool:
        """Refresh by itself while a request runs; not while the buyer must answer the vendor."""
        running = [entry for entry in self.entries if not entry.request.is_finished]
        return bool(running) and not any(entry.state == S.INQUIRING.value for entry in running)


def provisioning_history(subscription) -> ProvisioningHistory:
    """Every fulfillment request of ``subscription``, newest first, with its order's number, in
    one query (the subscription was found in the viewer's scope: its requests are too)."""
    rows = db.session.execute(
        select(FulfillmentRequest, Order.number)
        .outerjoin(Order, Order.id == FulfillmentRequest.order_id)
        .where(FulfillmentRequest.subscription_id == subscription.id)
        .order_by(FulfillmentRequest.created_at.desc(), FulfillmentRequest.id.desc()).limit(REQUESTS_SHOWN)
    ).all()
    return ProvisioningHistory([RequestEntry(request, number) for request, number in rows])

"""Invoices of the subscription lifecycle: renewals, prorated changes and credit notes.

Who pays what: the subscription's payer, at its own tier (``payer_amount``): a reseller pays its
reseller cost, anyone else the customer price (a reseller's customer its reseller's price, a
direct customer the MSRP). How: the way the subscription was bought (its purchase order's
payment method); without an order, by card when the payer has one on file, else on account.
On account an invoice stays open, due in 30 days, and counts against the credit limit; by card
it is charged off-session (``app.plans.collection``), which starts dunning when it is declined.
Nothing here commits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import select

from app.billing.invoicing import NewInvoiceLine, announce_issued, create_invoice, payment_terms_of, tax_rule_for
from app.billing.models import InvoiceKind, PaymentMethodName
from app.core.locks import locked_one
from app.extensions import db
from app.payments.cards import payment_account
from app.plans.hooks import purchase_payment_method
from app.plans.models import BillingPeriod, BillingPeriodStatus, Subscription
from app.plans.store import lock_subscription


def pays_cost(payer) -> bool:
    """Resellers pay the distributor their cost; everyone else pays the customer price."""
    return payer.acts_as_reseller


def payer_amount(payer, customer_amount: int, reseller_amount: int) -> int:
    return reseller_amount if pays_cost(payer) else customer_amount


def payment_method_of(subscription: Subscription) -> str:
    """``card`` or ``on_account``: how the subscription's renewals and changes are paid."""
    bought_with = purchase_payment_method(subscription.id)
    if bought_with in {method.value for method in PaymentMethodName}:
        return bought_with
    account = payment_account(subscription.payer)
    return (PaymentMethodName.CARD if account is not None and account.has_card else PaymentMethodName.ON_ACCOUNT).value


def issue_invoice(organisation, currency: str, lines: Sequence[NewInvoiceLine], now: datetime, *, marketplace,
                  payment_method: str, kind: str, order=None, subscription=None):
    """A numbered invoice (a credit note when the lines add up below zero) to ``organisation``,
    open and due after the payer's payment terms (net 30 by default), tax at ``marketplace``'s rule (a credit's tax is rounded like a
    charge's). The one place lifecycle invoices are made; billing's ``create_invoice`` issues
    it. Not committed."""
    invoice = create_invoice(organisation, currency, lines, now, tax=tax_rule_for(organisation, marketplace),
                             kind=InvoiceKind(kind), payment_method=payment_method, due_at=now + payment_terms_of(organisation),
                             order=order, subscription=subscription)
    announce_issued(invoice, now)
    return invoice


def schedule_charge(subscription: Subscription, now: datetime) -> None:
    """A card invoice is to be charged: now, unless a dunning retry is already planned (it
    charges every open invoice of the subscription)."""
    if subscription.next_charge_attempt_at is None:
        subscription.next_charge_attempt_at = now


def _period_lines(period: BillingPeriod, payer) -> list[NewInvoiceLine]:
    cost = pays_cost(payer)
    span = f"{period.period_start:%d %b %Y} to {period.period_end:%d %b %Y}"
    items = []
    for line in period.lines:
        unit = line["unit_cost"] if cost else line["unit_customer"]
        label = line["description"] if line["kind"] == "plan" else f"{line['description']} ({line['measured']} held)"
        items.append(NewInvoiceLine(f"{label}, {span}", unit, line["quantity"], unit * line["quantity"]))
    return items


def invoice_billing_period(period_id: int, now: datetime):
    """Invoices a recorded billing period once (the subscription's row lock, then the period's
    status, decide): its lines at the payer's tier; a card invoice is scheduled to be charged.
    Returns the invoice, or None when another run invoiced it."""
    subscription_id = db.session.scalar(select(BillingPeriod.subscription_id).where(BillingPeriod.id == period_id))
    subscription = lock_subscription(subscription_id)
    period = locked_one(select(BillingPeriod).where(BillingPeriod.id == period_id))
    if period.status != BillingPeriodStatus.TO_INVOICE.value:
        return None
    method = payment_method_of(subscription)
    invoice = issue_invoice(subscription.payer, period.currency, _period_lines(period, subscription.payer), now,
                            marketplace=subscription.marketplace, payment_method=method, kind="renewal",
                            subscription=subscription)
    period.status, period.invoice_id = BillingPeriodStatus.INVOICED.value, invoice.id
    if method == PaymentMethodName.CARD.value and invoice.total > 0:
        schedule_charge(subscription, now)
    db.session.flush()
    return invoice


def credit_note(subscription: Subscription, customer_refund: int, reseller_refund: int, description: str,
                now: datetime, *, order=None):
    """A credit note (negative invoice) for a refund, at the payer's tier; None when it is 0.
    On account it lowers what the payer owes (and so frees credit)."""
    amount = payer_amount(subscription.payer, customer_refund, reseller_refund)
    if amount == 0:
        return None
    return issue_invoice(subscription.payer, subscription.currency, [NewInvoiceLine(description, amount, 1, amount)], now,
                         marketplace=subscription.marketplace, payment_method=payment_method_of(subscription),
                         kind="credit", order=order, subscription=subscription)

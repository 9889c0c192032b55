"""A year of business for the demo's reseller one, made through the real services on a travel
clock: orders through the checkout (on account, for existing and new customers, single-user and
organisation plans, and one for its own use), each fulfillment request run synchronously through
provisioning's runner against the demo vendor, seat increases and decreases through the change
order, cancellations and a resumption through the lifecycle actions, the renewal duties every
day, and its on-account invoices paid about a month after they were issued.

It ends today: what the panels show on first sign-in (active, pending with a scheduled decrease,
cancelled until the period's end, single-user, twelve months of invoices and renewals, the
activity log) is what these services wrote. The story is fixed (the same every run), only its
dates follow the day it is loaded.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.billing.models import Invoice, InvoiceStatus, PaymentMethodName
from app.catalog.models import Marketplace, Plan, Product
from app.core.clock import TravelClock, current_now
from app.extensions import db
from app.orders.change_lines import ChangeRequest, place_change_order, preview_change
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import Beneficiary, LineRequest
from app.plans.actions import cancel_subscription, resume_subscription
from app.plans.collection import on_invoice_payment_succeeded
from app.plans.duties import run_duties
from app.plans.models import Subscription
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import run_request

DAYS = 365
BUY_AT, DUTIES_AT = time(10, 0), time(23, 0)
PAID_AFTER = timedelta(days=21)  # reseller one pays its on-account invoices within the month,
PAYMENT_RUN_EVERY = 7  # in a weekly payment run


@dataclass(frozen=True)
class Purchase:
    """One order line: ``product``/``plan``/``term``, quantities by resource code (the rest at
    the plan's minimum), for ``customer`` (a demo organisation key), a new customer (``new``:
    its name and administrator), or the reseller itself (neither)."""

    key: str
    product: str
    plan: str
    quantities: dict
    term: str = "monthly"
    customer: str = ""
    new: tuple[str, str] | None = None
    parameters: dict | None = None


def _mail(domain: str) -> dict:
    return {"data_location": "us-east", "domain": domain, "admin_username": "Admin", "send_credentials_to": f"it@{domain}"}


# Day of the year -> what happens that day (purchases, then changes: key, new quantities,
# cancellations and resumptions).
PURCHASES = {
    0: [Purchase("a-prism", "prism-desktop", "pro", {"prism-seats": 8}, customer="customer-a"),
        Purchase("c-shield", "shieldpoint-endpoint", "complete", {"generic-devices": 40}, customer="customer-c")],
    3: [Purchase("northwind-mail", "mailstream-business-mail", "prepaid", {"mail-mailboxes": 20},
                 new=("Northwind Traders", "it@northwind.example"), parameters=_mail("northwind.example"))],
    9: [Purchase("contoso-backup", "vaultguard-backup", "business", {"generic-users": 15},
                 new=("Contoso Dental Group", "admin@contoso-dental.example"))],
    21: [Purchase("fabrikam-tasks", "taskflow-projects", "team", {"generic-users": 12}, term="annual",
                  new=("Fabrikam Design Studio", "ops@fabrikam.example"))],
    34: [Purchase("alpine-sign", "signright-esignature", "business", {"generic-users": 6},
                  new=("Alpine Legal LLP", "office@alpine-legal.example")),
         Purchase("jordan-plus", "prism-desktop", "plus", {"prism-seats": 1}, new=("Jordan Lee", "jordan.lee@alpine-legal.example"))],
    52: [Purchase("tailspin-meet", "meetspace-video", "pro", {"generic-users": 8}, new=("Tailspin Toys", "it@tailspin.example"))],
    67: [Purchase("blueyonder-desk", "clouddesk-virtual-desktops", "standard", {"generic-users": 10},
                  new=("Blue Yonder Logistics", "admin@blueyonder.example"))],
    95: [Purchase("woodgrove-git", "codeharbor-git", "team", {"generic-users": 10},
                  new=("Woodgrove Clinic", "tech@woodgrove.example")),
         Purchase("a-idsync", "idsync-identity-synchronizer", "connector-customers", {"idsync-users": 20}, customer="customer-a")],
    128: [Purchase("litware-prism", "prism-desktop", "enterprise", {"prism-seats": 5}, new=("Litware Studio", "cto@litware.example"))],
    160: [Purchase("sam-plus", "prism-desktop", "plus", {"prism-seats": 1}, new=("Sam Rivera", "sam.rivera@example.com")),
          Purchase("own-prism", "prism-desktop", "pro-internal", {"prism-seats": 4})],
    190: [Purchase("proseware-shield", "shieldpoint-endpoint", "essentials", {"generic-devices": 25},
                   new=("Proseware Consulting", "it@proseware.example"))],
    230: [Purchase("c-meet", "meetspace-video", "pro", {"generic-users": 3}, customer="customer-c")],
}
CHANGES = {
    61: [("a-prism", {"prism-seats": 12})],
    120: [("contoso-backup", {"generic-users": 18})],
    200: [("litware-prism", {"prism-seats": 9})],
    300: [("northwind-mail", {"mail-mailboxes": 24})],
    # The last days: decreases wait for the next period (pending, with their date), a
    # cancellation runs to the period's end; both still show so today.
    DAYS - 3: [("woodgrove-git", {"generic-users": 6})],
    DAYS - 2: [("a-prism", {"prism-seats": 10})],
}
CANCELLATIONS = {240: ["proseware-shield"], 270: ["c-meet"], DAYS - 1: ["tailspin-meet"]}
RESUMPTIONS = {245: ["proseware-shield"]}


class _Story:
    def __init__(self, clock: TravelClock) -> None:
        self.clock = clock
        self.reseller = db.session.scalar(select(Organisation).where(Organisation.name == "Reseller One LLC"))
        self.admin = db.session.scalar(select(User).where(User.email == "admin@reseller-one.example"))
        self.us = db.session.scalar(select(Marketplace).where(Marketplace.code == "US"))
        self.customers = {key: db.session.scalar(select(Organisation).where(Organisation.name == name))
                          for key, name in (("customer-a", "Customer A Corp"), ("customer-c", "Customer C Inc."))}
        self.subscriptions: dict[str, int] = {}

    def _line(self, purchase: Purchase) -> LineRequest:
        plan = db.session.scalar(select(Plan).join(Product).where(Product.slug == purchase.product, Plan.code == purchase.plan))
        term = next(term for term in plan.terms if term.code == purchase.term)
        quantities = {row.resource.code: row.minimum for row in plan.resources}
        quantities.update(purchase.quantities)
        if purchase.customer:
            beneficiary = Beneficiary.customer(self.customers[purchase.customer].id)
        elif purchase.new:
            beneficiary = Beneficiary.new_customer(*purchase.new)
        else:
            beneficiary = Beneficiary.self_()
        return LineRequest(term.id, quantities, dict(purchase.parameters or {}), beneficiary)

    def buy(self, purchase: Purchase) -> None:
        line = self._line(purchase)
        preview = prepare(self.reseller, self.us, [line])
        order = place_order(CheckoutRequest(self.reseller, self.admin, self.us, [line], f"demo-{purchase.key}",
                                            preview.quote.fingerprint, frozenset(t.token for t in preview.terms),
                                            PaymentMethodName.ON_ACCOUNT.value), self.clock.now())
        self.subscriptions[purchase.key] = order.lines[0].subscription_id
        self.provision()

    def change(self, key: str, quantities: dict) -> None:
        subscription = db.session.get(Subscription, self.subscriptions[key])
        requested = {row.resource_id: quantities[row.resource.code] for row in subscription.resources
                     if row.resource.code in quantities}
        preview = preview_change(subscription, requested, self.clock.now())
        db.session.rollback()
        place_change_order(ChangeRequest(subscription.id, requested, preview.change.fingerprint, uuid.uuid5(
            uuid.NAMESPACE_URL, f"demo-change-{key}-{self.clock.now():%Y%m%d}").hex, self.admin), self.clock.now())
        self.provision()

    def act(self, action, key: str) -> None:
        action(self.subscriptions[key], self.clock.now(), actor=self.admin)
        db.session.commit()
        self.provision()

    def provision(self) -> None:
        """Every pending fulfillment request, run now by provisioning's runner (the demo vendor)."""
        pending = db.session.scalars(select(FulfillmentRequest.id).where(FulfillmentRequest.state == "pending")
                                     .order_by(FulfillmentRequest.id)).all()
        db.session.commit()
        for request_id in pending:
            run_request(request_id, "demo-seed")
        db.session.commit()

    def pay_invoices(self) -> None:
        """Reseller one pays (by transfer) its on-account invoices issued more than PAID_AFTER ago;
        the payment is recorded as the payments service does (the invoice's "succeeded" hook)."""
        now = self.clock.now()
        due = db.session.scalars(select(Invoice.id).where(
            Invoice.organisation_id == self.reseller.id, Invoice.status == InvoiceStatus.OPEN.value,
            Invoice.payment_method == PaymentMethodName.ON_ACCOUNT.value, Invoice.issued_at <= now - PAID_AFTER)).all()
        for invoice_id in due:
            on_invoice_payment_succeeded(invoice_id, now)
        db.session.commit()

    def day(self, number: int, date) -> None:
        self.clock.travel_to(datetime.combine(date, BUY_AT))
        for purchase in PURCHASES.get(number, []):
            self.buy(purchase)
        for key, quantities in CHANGES.get(number, []):
            self.change(key, quantities)
        for key in CANCELLATIONS.get(number, []):
            self.act(cancel_subscription, key)
        for key in RESUMPTIONS.get(number, []):
            self.act(resume_subscription, key)
        if number % PAYMENT_RUN_EVERY == PAYMENT_RUN_EVERY - 1:
            self.pay_invoices()
        self.clock.travel_to(datetime.combine(date, DUTIES_AT))
        report = run_duties(self.clock.now())
        db.session.commit()
        if report.errors:
            raise RuntimeError(f"demo history, day {number}: {report}")
        self.provision()


def seed_history(today: datetime | None = None) -> dict[str, int]:
    """Plays the year up to ``today`` (default: the app's clock) for reseller one, which
    ``seed_demo`` created; returns its subscriptions by story key. The app's clock is a travel
    clock meanwhile, and the demo vendor answers at once without failures."""
    today = today or current_now()
    first = (today - timedelta(days=DAYS)).date()
    config = current_app.config
    saved = {key: config.get(key) for key in ("CLOCK", "DEMO_VENDOR_LATENCY", "DEMO_VENDOR_FAILURE_RATE", "DEMO_VENDOR_INQUIRY_RATE")}
    clock = TravelClock(datetime.combine(first, BUY_AT))
    config.update(CLOCK=clock, DEMO_VENDOR_LATENCY=0.0, DEMO_VENDOR_FAILURE_RATE=0.0, DEMO_VENDOR_INQUIRY_RATE=0.0)
    try:
        story = _Story(clock)
        for number in range(DAYS):
            story.day(number, first + timedelta(days=number))
        return dict(story.subscriptions)
    finally:
        config.update(saved)

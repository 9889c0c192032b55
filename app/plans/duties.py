"""The scheduler's lifecycle duties, as of a given ``now``: price-list versions whose date came
(their state), period ends (renewals, expiries), invoices of recorded billing periods, and due
card charges (dunning).

Each subscription is handled in its own transaction and every step is idempotent: the
subscription's row lock and its state decide (a second run finds the period closed, the billing
period invoiced, the charge paid), so running the duties twice, or in two processes, does
nothing more. One subscription's error is logged and skipped; the others go on. Fulfillment
requests go out with the step that needs them: ``change`` when a renewal applied a scheduled
decrease, ``cancel`` at expiry; collection sends ``suspend`` and ``resume``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.catalog.price_versions import activate_due_versions
from app.extensions import db
from app.plans.collection import collect_due_charge
from app.plans.invoicing import invoice_billing_period
from app.plans.lifecycle import close_period, expire_due
from app.plans.models import Subscription
from app.plans.queries import billing_periods_to_invoice, due_charge_retries, due_period_ends
from app.plans.renewal import RenewalAction
from app.plans.hooks import tell_vendor

log = logging.getLogger(__name__)


@dataclass
class DutyReport:
    renewed: int = 0
    expired: int = 0
    invoiced: int = 0
    charges: dict = field(default_factory=dict)  # outcome -> count
    errors: int = 0

    def summary(self) -> str:
        charges = ", ".join(f"{count} {outcome}" for outcome, count in sorted(self.charges.items())) or "none"
        return (f"{self.renewed} renewed, {self.expired} expired, {self.invoiced} invoiced, "
                f"charges: {charges}, {self.errors} error(s)")


def run_duties(now: datetime) -> DutyReport:
    """Every lifecycle duty as of ``now``, in order: period ends, expiries, invoices, charges."""
    report = DutyReport()
    activate_due_versions(now)  # states only: dated prices apply at their date by themselves
    close_due_periods(now, report)
    expire_cancelled(now, report)
    invoice_due_periods(now, report)
    collect_due_charges(now, report)
    return report


def _request(subscription_id: int, kind: str, now: datetime) -> None:
    tell_vendor(db.session.get(Subscription, subscription_id), kind, now)


def close_due_periods(now: datetime, report: DutyReport) -> None:
    """Ends every period due by ``now``, catching up several periods of one subscription."""
    tried: set[tuple[int, datetime]] = set()
    while True:
        due = [(subscription_id, end) for subscription_id, end in _due_with_ends(now) if (subscription_id, end) not in tried]
        if not due:
            return
        for subscription_id, end in due:
            tried.add((subscription_id, end))
            try:
                closed = close_period(subscription_id, now)
                if closed is not None and closed.plan.action is RenewalAction.RENEW:
                    report.renewed += 1
                    if closed.changed_quantities:
                        _request(subscription_id, "change", now)  # the scheduled decrease, for the vendor
                elif closed is not None and closed.expired:
                    report.expired += 1
                    _request(subscription_id, "cancel", now)
                db.session.commit()
            except Exception:
                db.session.rollback()
                report.errors += 1
                log.exception("subscription %s: closing the period ending %s failed", subscription_id, end)


def _due_with_ends(now: datetime) -> list[tuple[int, datetime]]:
    ids = due_period_ends(now)
    if not ids:
        return []
    ends = dict(db.session.execute(
        db.select(Subscription.id, Subscription.current_period_end).where(Subscription.id.in_(ids))
    ).all())
    return [(subscription_id, ends[subscription_id]) for subscription_id in ids]


def expire_cancelled(now: datetime, report: DutyReport) -> None:
    """Whatever ``close_due_periods`` left to expire (``expire_due``), with its cancel request."""
    try:
        expired = expire_due(now)
        for subscription_id in expired:
            _request(subscription_id, "cancel", now)
        db.session.commit()
        report.expired += len(expired)
    except Exception:
        db.session.rollback()
        report.errors += 1
        log.exception("expiring cancelled subscriptions failed")


def invoice_due_periods(now: datetime, report: DutyReport) -> None:
    failed: set[int] = set()
    while True:
        ids = [period.id for period in billing_periods_to_invoice() if period.id not in failed]
        db.session.rollback()  # read only: start each invoice afresh
        if not ids:
            return
        for period_id in ids:
            try:
                if invoice_billing_period(period_id, now) is not None:
                    report.invoiced += 1
                db.session.commit()
            except Exception:
                db.session.rollback()
                failed.add(period_id)
                report.errors += 1
                log.exception("billing period %s: invoicing failed", period_id)


def collect_due_charges(now: datetime, report: DutyReport) -> None:
    ids = due_charge_retries(now)
    db.session.rollback()
    for subscription_id in ids:
        try:
            outcome = collect_due_charge(subscription_id, now)
            report.charges[outcome] = report.charges.get(outcome, 0) + 1
        except Exception:
            db.session.rollback()
            report.errors += 1
            log.exception("subscription %s: collecting its charge failed", subscription_id)


def duty_moments(as_of: datetime, until: datetime | None = None) -> list[datetime]:
    """The moments to run the duties at: ``as_of``, then the same time each day until ``until``
    (inclusive), so a demo catches up day by day as the scheduler would have."""
    moments, moment = [as_of], as_of
    while until is not None and moment + timedelta(days=1) <= until:
        moment += timedelta(days=1)
        moments.append(moment)
    return moments

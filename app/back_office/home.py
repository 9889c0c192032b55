"""The back office's home: what needs the staff's attention, with a link to each page."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from app.core.clock import current_now
from app.back_office import bp
from app.billing.models import Invoice, InvoiceStatus
from app.extensions import db
from app.mail.models import DeliveryStatus, OutboxMessage
from app.plans.queries import subscription_counts
from app.provisioning.staff import staff_queue


def _count(column, condition) -> int:
    return db.session.scalar(select(func.count(column)).where(condition)) or 0


@bp.get("/")
def home():
    queue = staff_queue(current_now())
    cards = [
        ("Failed provisioning requests", len(queue.failed), "back_office.provisioning", {}),
        ("Stuck provisioning requests", len(queue.stuck), "back_office.provisioning", {}),
        ("Open invoices", _count(Invoice.id, Invoice.status == InvoiceStatus.OPEN.value), "back_office.invoices",
         {"status": InvoiceStatus.OPEN.value}),
        ("Messages waiting to be sent", _count(OutboxMessage.id, OutboxMessage.status == DeliveryStatus.PENDING.value),
         "back_office.outbox", {"status": DeliveryStatus.PENDING.value}),
        ("Live subscriptions", subscription_counts().total, "back_office.subscriptions", {}),
    ]
    return render_template("back_office/home.html", cards=cards)

"""Sending one outbox message, once, from a job: claim it, send it, record what happened.

The claim is one guarded UPDATE (pending, and not claimed by a live job) that sets
``claimed_until``: of two deliveries of the same job only one sends. No transaction stays open
while the SMTP server talks. A failure is recorded (attempts, last error) and re-raised so RQ
retries later; a refusal of every recipient is final. Attachments (the invoice PDF) are
rendered now, from the stored invoice, so the outbox keeps ids rather than files.
"""
from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import or_, select, update

from app.billing.models import Invoice
from app.billing.pdf import render_invoice_pdf
from app.billing.queries import invoice_locale, seller_details
from app.extensions import db
from app.mail.message import Attachment, MailMessage, sender_domain
from app.mail.sender import deliver
from app.mail.models import DeliveryStatus, OutboxMessage

log = logging.getLogger(__name__)
CLAIM_SECONDS = 120  # longer than an SMTP conversation with MAIL_TIMEOUT
M = OutboxMessage


def claim_message(message_id: int, now: datetime) -> OutboxMessage | None:
    """The message, claimed for sending until ``now + CLAIM_SECONDS``; ``None`` when it is
    sent already, or another job is sending it."""
    claimed = db.session.execute(
        update(M).where(M.id == message_id, M.status == DeliveryStatus.PENDING.value,
                        or_(M.claimed_until.is_(None), M.claimed_until < now))
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=M.attempts + 1, last_attempt_at=now)
    ).rowcount
    db.session.commit()
    return db.session.get(M, message_id) if claimed else None


def mail_of(message: OutboxMessage) -> MailMessage:
    if not message.message_id:  # one Message-ID for every retry: receivers can tell a repeat
        message.message_id = make_msgid(domain=sender_domain(current_app.config["MAIL_DEFAULT_SENDER"]))
    attachments = tuple(attachment for spec in (message.context or {}).get("attachments", ())
                        if (attachment := render_attachment(spec)) is not None)
    return MailMessage(to=(message.recipient,), subject=message.subject, text=message.body, html=message.html or None,
                       attachments=attachments, message_id=message.message_id)


def render_attachment(spec: dict) -> Attachment | None:
    if spec.get("kind") == "invoice_pdf":
        invoice = db.session.get(Invoice, spec.get("invoice_id"))
        if invoice is None:
            return None
        config = current_app.config
        body = render_invoice_pdf(invoice, invoice_locale(invoice), seller_details(invoice), font_setting=config["INVOICE_PDF_FONT"],
                                  compress=config["INVOICE_PDF_COMPRESS"])
        return Attachment(f"{invoice.number}.pdf", body, "application/pdf")
    if spec.get("kind") == "price_list_csv":
        from app.catalog.price_list_csv import changes_csv  # rendered when sent: the list as scheduled

        found = changes_csv(spec.get("version_id"))
        return Attachment(found[0], found[1], "text/csv") if found is not None else None
    log.warning("unknown attachment %r: left out", spec)
    return None


def stalled_messages(now: datetime, older_than: timedelta) -> list[int]:
    """Pending messages nobody is sending, not tried for ``older_than`` (their job was lost)."""
    since = now - older_than
    return list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.status == DeliveryStatus.PENDING.value, OutboxMessage.created_at < since,
        OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        or_(OutboxMessage.last_attempt_at.is_(None), OutboxMessage.last_attempt_at < since),
    ).order_by(OutboxMessage.id).limit(500)))


def _finish(message_id: int, status: DeliveryStatus, now: datetime, error: str = "") -> None:
    values = {"status": status.value, "claimed_until": None, "last_error": error[:500]}
    if status is DeliveryStatus.SENT:
        values["sent_at"] = now
    db.session.execute(update(M).where(M.id == message_id).values(**values))
    db.session.commit()


def send_outbox_message(message_id: int, now: datetime) -> str:
    """Send message ``message_id`` with the configured backend; returns what happened. Raises
    (after recording the error) when the server could not take it, so the job is retried."""
    message = claim_message(message_id, now)
    if message is None:
        return "nothing to do"
    try:
        mail = mail_of(message)
        db.session.commit()  # keeps the Message-ID
        result = deliver(mail)
    except smtplib.SMTPRecipientsRefused as refused:
        _finish(message_id, DeliveryStatus.REFUSED, now, f"refused: {sorted(refused.recipients)}")
        return "refused"
    except Exception as error:
        db.session.rollback()
        _finish(message_id, DeliveryStatus.PENDING, now, f"{type(error).__name__}: {error}")
        raise
    _finish(message_id, DeliveryStatus.SENT if result == "sent" else DeliveryStatus.KEPT, now)
    return result

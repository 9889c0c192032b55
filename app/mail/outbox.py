"""Queuing a message: rendered from ``templates/mail/`` now, kept in the outbox, sent later.

``queue_mail`` renders the plain-text and HTML parts, inserts the outbox row unless one with
the same de-duplication key exists (``INSERT ... ON CONFLICT DO NOTHING``: a repeated hook or a
re-run job queues nothing), and notes it in the session; when the transaction commits, a mail
job is enqueued for it (a rollback forgets it). If Redis is down then, the message waits in the
outbox and ``resend_stalled_mail_job`` (a periodic duty) enqueues it later. Never sends anything itself.
"""
from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.locks import inserted_id_if_absent
from app.extensions import db
from app.mail.jobs import enqueue_outbox_messages
from app.mail.models import DeliveryStatus, OutboxMessage

log = logging.getLogger(__name__)
SESSION_KEY = "outbox_messages"


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail (no request here): built on ``PUBLIC_BASE_URL``."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def render_mail(template: str, **context) -> tuple[str, str]:
    """(text, html) of ``templates/mail/<template>.txt`` and ``.html``."""
    context.setdefault("marketplace_name", "Cloud Marketplace")
    return render_template(f"mail/{template}.txt", **context).strip() + "\n", render_template(f"mail/{template}.html", **context)


def queue_mail(kind: str, recipient: str, subject: str, template: str, *, event_key: str, now: datetime,
               context: dict | None = None, attachments: list[dict] | tuple = (), **template_values) -> int | None:
    """Queue message ``kind`` about ``event_key`` (e.g. "order:12") to ``recipient``, once: the
    id of the new outbox row, or ``None`` when it was queued before (or there is nobody to
    send it to). ``attachments`` are specs rendered at sending time, e.g.
    ``{"kind": "invoice_pdf", "invoice_id": 3}``. In the caller's transaction; not committed."""
    recipient = (recipient or "").strip()
    if not recipient:
        log.warning("%s about %s: no recipient, not queued", kind, event_key)
        return None
    text, html = render_mail(template, subject=subject, **template_values)
    return _insert(kind, recipient, subject, text, html, f"{kind}:{event_key}:{recipient.lower()}"[:200],
                   {**(context or {}), "attachments": list(attachments)}, now)


def queue_plain(kind: str, recipient: str, subject: str, body: str, *, context: dict | None, now: datetime,
                event_key: str | None = None) -> int | None:
    """A message written in plain text by its caller (the HTML part wraps it in the layout)."""
    _, html = render_mail("notification", subject=subject, body=body)
    key = f"{kind}:{event_key}:{recipient.lower()}"[:200] if event_key else None
    return _insert(kind, recipient.strip()[:254], subject, body, html, key, dict(context or {}), now)


def _insert(kind, recipient, subject, text, html, dedup_key, context, now) -> int | None:
    values = dict(kind=kind, recipient=recipient[:254], subject=subject[:200], body=text, html=html, context=context,
                  dedup_key=dedup_key, status=DeliveryStatus.PENDING.value, message_id="", attempts=0, last_error="",
                  created_at=now)
    if dedup_key is None:
        message = OutboxMessage(**values)
        db.session.add(message)
        db.session.flush()
        message_id = message.id
    else:
        message_id = inserted_id_if_absent(OutboxMessage, values, key="dedup_key")
        if message_id is None:
            log.info("%s: already queued (%s)", kind, dedup_key)
            return None
    db.session.info.setdefault(SESSION_KEY, []).append(message_id)
    return message_id


def _enqueue_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # Releasing a SAVEPOINT (invoice numbering does) calls after_commit too, while the outer
        # transaction is still open: the jobs wait for the real commit, or would miss their rows.
        return
    ids = session.info.pop(SESSION_KEY, None)
    if ids:
        enqueue_outbox_messages(ids)


def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(SESSION_KEY, None)


def install_session_hooks() -> None:
    if not event.contains(Session, "after_commit", _enqueue_after_commit):
        event.listen(Session, "after_commit", _enqueue_after_commit)
        event.listen(Session, "after_soft_rollback", _forget_after_rollback)

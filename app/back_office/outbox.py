"""The back office's outbox: every message, its delivery status, and its text."""
from __future__ import annotations

from flask import abort, make_response, render_template, request
from sqlalchemy import select

from app.back_office import bp
from app.extensions import db
from app.mail.models import DeliveryStatus, OutboxMessage
from app.core.numbers import page_number

STATUSES = tuple(status.value for status in DeliveryStatus)


@bp.get("/outbox")
def outbox():
    status, kind = request.args.get("status"), request.args.get("kind", "")[:50]
    statement = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status in STATUSES:
        statement = statement.where(OutboxMessage.status == status)
    if kind:
        statement = statement.where(OutboxMessage.kind == kind)
    page = request.args.get("page", "1")
    messages = db.paginate(statement, page=page_number(page), per_page=50, error_out=False)
    kinds = list(db.session.scalars(select(OutboxMessage.kind).distinct().order_by(OutboxMessage.kind)))
    return render_template("back_office/outbox.html", messages=messages, status=status, kind=kind, statuses=STATUSES, kinds=kinds)


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("back_office/outbox_message.html", message=message)


# The message's HTML is shown as a recipient would see it, but it is untrusted markup: served
# alone, in a sandbox (no scripts, no forms, an opaque origin), loading nothing from the
# network, and only inside the back office's own frame.
MESSAGE_HTML_POLICY = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                       "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


@bp.get("/outbox/<int:message_id>/html")
def outbox_message_html(message_id: int):
    """The message's HTML version, for the sandboxed frame of ``outbox_message``."""
    message = db.get_or_404(OutboxMessage, message_id)
    if not message.html:
        abort(404)
    response = make_response(message.html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = MESSAGE_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response

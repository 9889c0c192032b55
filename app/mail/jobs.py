"""RQ entry point for e-mail, with retries: a server that is down gets the message later.

The job's signature is a contract with jobs already queued: ``send_email_job(message: dict)``
where ``message`` is ``MailMessage.to_dict()``. Change it only compatibly.
"""
from __future__ import annotations

import logging
import smtplib

from flask import current_app
from rq import Queue, Retry, get_current_job

from app.mail.message import MailMessage, sender_domain
from app.mail.sender import deliver
from app.queue import redis_connection

log = logging.getLogger(__name__)
MAIL_QUEUE = "default"


def send_email_job(message: dict) -> str:
    """Deliver one message. Raises (so RQ retries) while the server is unreachable; a message
    every recipient of which is refused is logged and dropped (retrying cannot help)."""
    mail = MailMessage.from_dict(message)
    job = get_current_job()
    try:
        result = deliver(mail)
    except smtplib.SMTPRecipientsRefused as refused:
        log.error("job %s: %r refused for every recipient: %s", job.id if job else "-", mail.subject, refused.recipients)
        return "refused"
    log.info("job %s: %r to %s: %s", job.id if job else "-", mail.subject, ", ".join(mail.to), result)
    return result


def enqueue_email(message: MailMessage, connection=None) -> str:
    """Queue ``message`` for sending (retried at ``MAIL_RETRY_INTERVALS``); returns the job id."""
    intervals = list(current_app.config["MAIL_RETRY_INTERVALS"])
    message = message.with_message_id(sender_domain(message.sender or current_app.config["MAIL_DEFAULT_SENDER"]))
    queue = Queue(MAIL_QUEUE, connection=connection or redis_connection())
    job = queue.enqueue(send_email_job, message.to_dict(), retry=Retry(max=len(intervals), interval=intervals),
                        description=f"e-mail {message.subject!r} to {', '.join(message.to)}")
    return job.id

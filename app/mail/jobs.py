"""RQ entry points for e-mail, with retries: a server that is down gets the message later.

Job signatures are a contract with jobs already queued: ``send_outbox_message_job(message_id)``
sends one outbox row (how the marketplace's messages go out); ``send_email_job(message: dict)``
sends a ``MailMessage.to_dict()`` that is not kept in the outbox. Change them only compatibly.
"""
from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Retry, get_current_job

from app.core.clock import current_now
from app.mail.delivery import send_outbox_message, stalled_messages
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


def send_outbox_message_job(message_id: int) -> str:
    """Send outbox message ``message_id`` (safe to deliver twice: the row decides)."""
    job = get_current_job()
    result = send_outbox_message(message_id, current_now())
    log.info("job %s: outbox message %s: %s", job.id if job else "-", message_id, result)
    return result


def _enqueue_outbox_message(queue: Queue, message_id: int, pipeline=None) -> None:
    intervals = list(current_app.config["MAIL_RETRY_INTERVALS"])
    queue.enqueue(send_outbox_message_job, message_id, retry=Retry(max=len(intervals), interval=intervals),
                  result_ttl=3600, failure_ttl=7 * 86400, description=f"send outbox message {message_id}", pipeline=pipeline)


def add_outbox_messages(message_ids: list[int], pipeline) -> None:
    """Adds a send job per message to ``pipeline`` (its sender handles errors)."""
    queue = Queue(MAIL_QUEUE, connection=redis_connection())
    for message_id in message_ids:
        _enqueue_outbox_message(queue, message_id, pipeline)


def enqueue_outbox_messages(message_ids: list[int], connection=None) -> int:
    """Queue a send job per message (retried at ``MAIL_RETRY_INTERVALS``); returns how many
    reached Redis. Never raises: a message not queued now is picked up by ``resend_stalled_mail_job``."""
    queued = 0
    try:
        queue = Queue(MAIL_QUEUE, connection=connection or redis_connection())
        for message_id in message_ids:
            _enqueue_outbox_message(queue, message_id)
            queued += 1
    except RedisError as error:
        log.warning("Redis unreachable: %d e-mail(s) wait in the outbox: %s", len(message_ids) - queued, error)
    except Exception:  # the transaction is committed: never fail the caller for this
        log.exception("could not queue %d e-mail(s); they wait in the outbox", len(message_ids) - queued)
    return queued


def resend_stalled_mail_job() -> int:
    """Periodic duty: queue again the pending messages whose job was lost (Redis was down)."""
    stalled = stalled_messages(current_now(), timedelta(seconds=current_app.config["MAIL_RESEND_AFTER"]))
    if stalled:
        log.info("re-queuing %d stalled e-mail(s)", len(stalled))
        enqueue_outbox_messages(stalled, connection=redis_connection(current_app.config["REDIS_URL"]))
    return len(stalled)

"""Delivering a message through the configured backend: SMTP, or the outbox only."""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, has_request_context

from app.mail.message import MailMessage, build_email

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    use_tls: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 10

    @classmethod
    def from_config(cls, config) -> SmtpSettings:
        return cls(config["MAIL_SERVER"], int(config["MAIL_PORT"]), bool(config["MAIL_USE_TLS"]),
                   config["MAIL_USERNAME"], config["MAIL_PASSWORD"], float(config["MAIL_TIMEOUT"]))


def send_smtp(email: EmailMessage, settings: SmtpSettings) -> None:
    """One SMTP conversation (STARTTLS and login when configured). Raises ``OSError`` or
    ``smtplib.SMTPException`` when the server is down or refuses: the job retries."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(email)


def deliver(message: MailMessage) -> str:
    """Send ``message`` with the app's ``MAIL_BACKEND``; returns "sent" or "outbox". Only from
    a job or a command: a web request must enqueue instead (``jobs.enqueue_email``)."""
    if has_request_context():
        raise RuntimeError("e-mail is sent by a background job, never inside a web request: use enqueue_email")
    config = current_app.config
    if config["MAIL_BACKEND"] != "smtp":
        log.info("mail backend %r: %r to %s kept in the outbox, not sent", config["MAIL_BACKEND"], message.subject, ", ".join(message.to))
        return "outbox"
    send_smtp(build_email(message, config["MAIL_DEFAULT_SENDER"]), SmtpSettings.from_config(config))
    log.info("mail %r sent to %s", message.subject, ", ".join(message.to))
    return "sent"

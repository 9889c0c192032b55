"""E-mail reaches a real SMTP server on loopback, directly and through an RQ job with retries."""
from __future__ import annotations

import time

import pytest
from rq import Queue
from rq.job import JobStatus

from app.mail.jobs import MAIL_QUEUE, enqueue_email
from app.mail.message import Attachment, MailMessage
from app.mail.sender import deliver
from app.queue import redis_connection
from app.worker import run_worker

PDF = b"%PDF-1.4\n% a tiny invoice\n%%EOF\n"


def _confirmation(to="buyer@example.test") -> MailMessage:
    return MailMessage(to=to, subject="Thank you for subscribing", text="Your order ORD-1 is confirmed.",
                       html="<p>Your order <strong>ORD-1</strong> is confirmed.</p>",
                       attachments=(Attachment("invoice-INV-1.pdf", PDF, "application/pdf"),))


def test_a_message_is_delivered_with_text_html_and_the_attachment(mail_app, smtp_server):
    # given a running SMTP server
    smtp_server.start()
    # when a job's code delivers a confirmation with its invoice
    with mail_app.app_context():
        result = deliver(_confirmation())
    # then the server received one multipart message with all three parts
    assert result == "sent"
    [envelope] = smtp_server.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == ("no-reply@marketplace.localhost", ["buyer@example.test"])
    [message] = smtp_server.messages
    assert message["Subject"] == "Thank you for subscribing"
    assert message["From"] == "Cloud Marketplace <no-reply@marketplace.localhost>"
    assert message.get_body(("plain",)).get_content().strip() == "Your order ORD-1 is confirmed."
    assert message.get_body(("html",)).get_content().strip() == "<p>Your order <strong>ORD-1</strong> is confirmed.</p>"
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type(), attachment.get_content()) == ("invoice-INV-1.pdf", "application/pdf", PDF)


def test_the_outbox_backend_sends_nothing(make_app, smtp_server):
    smtp_server.start()
    app = make_app(MAIL_BACKEND="outbox", MAIL_SERVER="")
    with app.app_context():
        assert deliver(_confirmation()) == "outbox"
    assert smtp_server.envelopes == []


def test_a_web_request_may_not_send_mail(mail_app, smtp_server):
    smtp_server.start()
    with mail_app.test_request_context("/"):
        with pytest.raises(RuntimeError, match="background job"):
            deliver(_confirmation())
    assert smtp_server.envelopes == []


@pytest.mark.redis
def test_a_message_queued_while_the_server_is_down_is_retried_and_delivered_later(mail_app, smtp_server):
    # given an empty mail queue and no SMTP server listening yet
    with mail_app.app_context():
        connection = redis_connection(mail_app.config["REDIS_URL"])
        connection.flushdb()
        job_id = enqueue_email(_confirmation(), connection=connection)
        # when a worker runs the job: the server is down, so it is scheduled for a retry
        run_worker(mail_app, (MAIL_QUEUE,), burst=True)
        job = Queue(MAIL_QUEUE, connection=connection).fetch_job(job_id)
        assert job.get_status() == JobStatus.SCHEDULED
        assert smtp_server.envelopes == []
        # and once the server is up and the retry is due, a worker runs it again
        smtp_server.start()
        time.sleep(1.1)
        run_worker(mail_app, (MAIL_QUEUE,), burst=True)
    # then the message was delivered once, with the Message-ID it was queued with
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == "sent"
    [message] = smtp_server.messages
    assert message["Subject"] == "Thank you for subscribing"
    assert message["Message-ID"] == job.args[0]["message_id"]

"""The SMTP server is down when an order is confirmed: the message waits in the outbox, the
mail job is retried by RQ, and the buyer gets it (once) when the server is back."""
from __future__ import annotations

import time
import uuid
from datetime import datetime

import pytest
from rq import Queue
from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.catalog.models import Marketplace
from app.extensions import db
from app.mail.jobs import MAIL_QUEUE
from app.mail.models import OutboxMessage
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import LineRequest
from app.queue import redis_connection
from app.worker import run_worker
from tests import factories as f
from tests.smtp_support import smtp_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis


def _message() -> OutboxMessage:
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage).execution_options(populate_existing=True)).one()


def test_smtp_down_at_first_then_the_confirmation_is_delivered_once_when_it_is_back(make_app, world, smtp_server):
    # given an app that sends through a loopback SMTP server that is not listening yet
    mail_app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port,
                        MAIL_RETRY_INTERVALS=(1, 1, 1), INVOICE_PDF_COMPRESS=False, INVOICE_PDF_FONT="core")
    f.make_billing_info(world.reseller)
    world.reseller.credit_limit = 100_000
    db.session.commit()
    ids = (world.reseller.id, world.users.reseller.id, world.us.id, next(t.id for t in world.reseller_plan.terms if t.code == "monthly"))
    with mail_app.app_context():
        connection = redis_connection(mail_app.config["REDIS_URL"])
        connection.flushdb()
        # when an order on account is placed: its confirmation is queued with the commit
        buyer, user, marketplace = db.session.get(Organisation, ids[0]), db.session.get(User, ids[1]), db.session.get(Marketplace, ids[2])
        lines = [LineRequest(ids[3])]
        preview = prepare(buyer, marketplace, lines)
        order = place_order(CheckoutRequest(buyer, user, marketplace, lines, uuid.uuid4().hex, preview.quote.fingerprint,
                                            frozenset(t.token for t in preview.terms)), datetime(2026, 5, 1, 12, 0))
        number = order.number
        queue = Queue(MAIL_QUEUE, connection=connection)
        assert queue.count == 1
        # and a worker tries to send it while the server is down
        run_worker(mail_app, (MAIL_QUEUE,), burst=True)
        # then nothing was delivered; the message waits in the outbox with the error, its job scheduled again
        waiting = _message()
        assert (waiting.status, waiting.attempts, smtp_server.envelopes) == ("pending", 1, [])
        assert waiting.last_error.startswith("ConnectionRefusedError")
        assert len(queue.scheduled_job_registry.get_job_ids()) == 1
        # when the server is back and the retry is due
        smtp_server.start()
        time.sleep(1.1)
        run_worker(mail_app, (MAIL_QUEUE,), burst=True)
    # then the buyer got the confirmation once, with its invoice, and the outbox says so
    [received] = smtp_server.messages
    assert received["Subject"] == f"Thank you for subscribing: order {number}"
    [pdf] = list(received.iter_attachments())
    assert b"Invoice INV-2026-000001" in pdf.get_content() and b"$17.60" in pdf.get_content()
    delivered = _message()
    assert (delivered.status, delivered.attempts, delivered.last_error) == ("sent", 2, "")
    assert received["Message-ID"] == delivered.message_id

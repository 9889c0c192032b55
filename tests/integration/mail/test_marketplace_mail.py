"""The marketplace's e-mails: queued in the outbox with the change they announce (once per
event), sent by the mail job through a real SMTP server (or kept), and read by staff."""
from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.billing.models import Invoice
from app.extensions import db
from app.mail import notices
from app.mail.delivery import send_outbox_message
from app.mail.models import OutboxMessage
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import LineRequest
from app.provisioning.handoff import hand_off
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import run_request
from tests import factories as f

NOW = datetime(2026, 5, 1, 12, 0)


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def buyer(world):
    f.make_billing_info(world.reseller, billing_email="ap@reseller.test")
    world.reseller.credit_limit = 1_000_000
    db.session.commit()
    return world


def _place_on_account(world, key: str | None = None):
    term = next(t for t in world.reseller_plan.terms if t.code == "monthly")
    lines = [LineRequest(term.id, quantities={"seats": 6})]
    preview = prepare(world.reseller, world.us, lines)
    request = CheckoutRequest(world.reseller, world.users.reseller, world.us, lines, key or uuid.uuid4().hex,
                              preview.quote.fingerprint, frozenset(t.token for t in preview.terms))
    return place_order(request, NOW)


@pytest.fixture
def smtp_app(app, smtp_server, monkeypatch):
    """The test app sending through the loopback SMTP server (started)."""
    smtp_server.start()
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port}.items():
        monkeypatch.setitem(app.config, key, value)
    return app


def test_an_order_on_account_queues_one_thank_you_with_its_invoice(buyer):
    # when the reseller's order is placed, and the same checkout submitted again
    key = uuid.uuid4().hex
    order = _place_on_account(buyer, key)
    _place_on_account(buyer, key)
    # then one "Thank you for subscribing" waits in the outbox for whoever placed it, with the invoice
    [message] = _outbox()
    invoice_id = db.session.scalar(select(Invoice.id).where(Invoice.order_id == order.id))
    assert (message.kind, message.recipient, message.status) == ("order_confirmation", "admin@reseller.test", "pending")
    assert message.subject == f"Thank you for subscribing: order {order.number}"
    assert message.context["attachments"] == [{"kind": "invoice_pdf", "invoice_id": invoice_id}]
    assert f"Order {order.number} for Reseller One is confirmed." in message.body and "Total: $19.80" in message.body
    assert "Invoice INV-2026-000001 is attached, due 31 May 2026." in message.body
    assert f"http://127.0.0.1:5000/orders/{order.number}" in message.body
    assert f"<strong>{order.number}</strong>" in message.html and "$19.80" in message.html
    # and a repeated hook queues nothing more
    notices.order_confirmed(order, None, NOW)
    db.session.commit()
    assert len(_outbox()) == 1


def test_the_mail_job_sends_the_thank_you_once_with_the_invoice_pdf(buyer, smtp_app, smtp_server):
    order = _place_on_account(buyer)
    [message] = _outbox()
    # when the job runs, then runs again (at-least-once delivery)
    assert send_outbox_message(message.id, NOW) == "sent"
    assert send_outbox_message(message.id, NOW) == "nothing to do"
    # then the server received it once: text, HTML and the invoice as a PDF
    [received] = smtp_server.messages
    assert (received["To"], received["Subject"]) == ("admin@reseller.test", f"Thank you for subscribing: order {order.number}")
    assert order.number in received.get_body(("plain",)).get_content() and order.number in received.get_body(("html",)).get_content()
    [pdf] = list(received.iter_attachments())
    assert (pdf.get_filename(), pdf.get_content_type()) == ("INV-2026-000001.pdf", "application/pdf")
    assert pdf.get_content().startswith(b"%PDF-")
    [sent] = _outbox()
    assert (sent.status, sent.sent_at, sent.attempts, received["Message-ID"]) == ("sent", NOW, 1, sent.message_id)


def test_without_an_smtp_server_configured_messages_are_kept_in_the_outbox(buyer, smtp_server):
    smtp_server.start()
    _place_on_account(buyer)
    [message] = _outbox()
    assert send_outbox_message(message.id, NOW) == "outbox"
    assert (_outbox()[0].status, smtp_server.envelopes) == ("kept", [])


def test_a_provisioned_order_for_a_new_customer_sends_new_subscription_invitation_and_credentials(app, client, world, monkeypatch):
    # given an order of the reseller for a new customer, its administrator and credentials address given
    monkeypatch.setitem(app.config, "DEMO_VENDOR_LATENCY", 0.0)
    newco = f.make_customer(world.reseller, name="Newco Ltd", marketplace=world.us)
    parameters = {"domain": "newco.example", "admin_username": "Admin", "send_credentials_to": "it@newco.example"}
    order = f.make_order(world.reseller, [{"plan": world.customer_plan, "beneficiary": newco, "parameters": parameters}],
                         placed_by=world.users.reseller)
    order.lines[0].admin_email = "boss@newco.example"
    hand_off(order)
    db.session.commit()
    # when provisioning completes (and the completion is recorded again)
    request = db.session.scalar(select(FulfillmentRequest))
    assert run_request(request.id, "test:1") == "done"
    notices.subscription_ready(request, request.subscription, "admin@reseller.test", NOW)
    db.session.commit()
    # then the buyer, the new administrator and the credentials address each get one message
    messages = {(m.kind, m.recipient): m for m in _outbox()}
    assert sorted(messages) == [("credentials", "it@newco.example"), ("invitation", "boss@newco.example"),
                                ("new_subscription", "admin@reseller.test")]
    assert "for-customers for Newco Ltd is active." in messages[("new_subscription", "admin@reseller.test")].body
    assert "Login: Admin@newco.example" in messages[("credentials", "it@newco.example")].body
    invitation = messages[("invitation", "boss@newco.example")]
    assert invitation.subject == "You are invited to administer Newco Ltd"
    # and the administrator's account waits, switched off, until the invitation is accepted
    invited = db.session.scalar(select(User).where(User.email == "boss@newco.example"))
    assert (invited.organisation_id, invited.role, invited.is_enabled) == (newco.id, "admin", False)
    link = re.search(r"http://127\.0\.0\.1:5000(/invitations/\S+)", invitation.body).group(1)
    assert client.post(link, data={"new_password": "short", "confirm_password": "short"}).status_code == 400
    accepted = client.post(link, data={"new_password": "Newco-admin-2026", "confirm_password": "Newco-admin-2026"})
    assert accepted.headers["Location"] == "/"
    db.session.expire_all()
    assert invited.is_enabled and invited.check_password("Newco-admin-2026")
    client.post("/sign-out")
    assert client.get(link).headers["Location"] == "/sign-in"  # used: the link no longer works


def test_a_single_user_subscription_sends_its_user_an_activation(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_VENDOR_LATENCY", 0.0)
    world.customer_plan.kind = "single_user"
    order = f.make_order(world.customer, [{"plan": world.customer_plan}], placed_by=world.users.customer)
    hand_off(order)
    db.session.commit()
    run_request(db.session.scalar(select(FulfillmentRequest.id)), "test:1")
    kinds = [(m.kind, m.recipient, m.subject) for m in _outbox()]
    assert kinds == [("new_subscription", "admin@customer-a.test", "New subscription: for-customers"),
                     ("activation", "admin@customer-a.test", "Activate your for-customers subscription")]
    assert "Sign in to start:\nhttp://127.0.0.1:5000/sign-in" in _outbox()[1].body  # an account already exists


def test_a_failed_provisioning_tells_the_buyer_and_operations_once(app, world):
    order = f.make_order(world.customer, [{"plan": world.customer_plan}], placed_by=world.users.customer)
    [request] = hand_off(order)
    request.failed_at, request.last_error, request.attempts = NOW, "vendor down", 3
    for _ in range(2):
        notices.provisioning_failed(request, request.subscription, "admin@customer-a.test", NOW)
    db.session.commit()
    messages = _outbox()
    assert [(m.kind, m.recipient) for m in messages] == [("provisioning_failed", "admin@customer-a.test"),
                                                          ("provisioning_failed", app.config["STAFF_ALERT_EMAIL"])]
    assert "Last error: vendor down" in messages[1].body and "Last error" not in messages[0].body


def test_staff_read_the_outbox_and_no_one_else_does(client, auth, buyer):
    order = _place_on_account(buyer)
    [message] = _outbox()
    auth.login("admin@reseller.test")
    assert client.get("/staff/outbox").status_code == 404
    assert client.get(f"/staff/outbox/{message.id}").status_code == 404
    auth.logout()
    auth.login("staff@dist.test")
    listing = client.get("/staff/outbox?kind=order_confirmation&status=pending").get_data(as_text=True)
    assert f"Thank you for subscribing: order {order.number}" in listing and "are kept in this outbox" in listing
    assert f"Thank you for subscribing: order {order.number}" not in client.get("/staff/outbox?status=sent").get_data(as_text=True)
    detail = client.get(f"/staff/outbox/{message.id}").get_data(as_text=True)
    assert "admin@reseller.test" in detail and f"Order {order.number} for Reseller One is confirmed." in detail

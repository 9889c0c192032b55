"""Staff settle the distributor's on-account invoices by hand: payment received (with its
reference) or void (with the reason); each is logged on the payer's activity log, and frees its
credit at once. Card invoices, settled invoices and a reseller's own invoices are refused (issue 13)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.accounts.activity import ActivityEntry
from app.billing.models import Invoice
from app.billing.services import remaining_credit
from app.core.clock import FixedClock
from app.extensions import db
from tests.factories import make_invoice


NOW = datetime(2026, 6, 3, 9, 30)


@pytest.fixture
def fixed_clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    return NOW


def _status(invoice_id: int) -> tuple:
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice_id)
    return invoice.status, invoice.paid_at, invoice.voided_at


def _log(organisation_id: int) -> list[tuple]:
    return [(entry.action, entry.summary, entry.actor.email) for entry in db.session.scalars(
        select(ActivityEntry).where(ActivityEntry.organisation_id == organisation_id).order_by(ActivityEntry.id))]


def test_payment_received_marks_the_invoice_paid_frees_the_credit_and_logs_it(client, auth, world, fixed_clock):
    world.reseller.credit_limit = 5000
    invoice = make_invoice(world.reseller, (1000, 500))
    db.session.commit()
    before = remaining_credit(world.reseller)
    auth.login("staff@dist.test")

    response = client.post(f"/staff/invoices/{invoice.id}/payment-received", data={"text": "  BANK-TX 4471 "},
                           follow_redirects=True)

    assert f"Invoice {invoice.number} is paid." in response.get_data(as_text=True)
    assert _status(invoice.id) == ("paid", fixed_clock, None)
    assert remaining_credit(world.reseller).amount == before.amount + invoice.total
    assert _log(world.reseller.id) == [("invoice.paid", f"Invoice {invoice.number} ($16.50) marked paid: payment BANK-TX 4471",
                                        "staff@dist.test")]


def test_void_needs_a_reason_then_voids_and_logs_it(client, auth, world, fixed_clock):
    invoice = make_invoice(world.reseller, (1000,))
    db.session.commit()
    auth.login("staff@dist.test")

    refused = client.post(f"/staff/invoices/{invoice.id}/void", data={"text": "   "})
    assert refused.status_code == 422 and "Enter the reason." in refused.get_data(as_text=True)
    assert _status(invoice.id) == ("open", None, None) and _log(world.reseller.id) == []

    client.post(f"/staff/invoices/{invoice.id}/void", data={"text": "Duplicate of a manual invoice"})

    assert _status(invoice.id) == ("void", None, fixed_clock)
    assert [entry[0] for entry in _log(world.reseller.id)] == ["invoice.voided"]


def test_a_card_invoice_or_a_settled_one_is_refused_and_nothing_changes(client, auth, world):
    card = make_invoice(world.reseller, (1000,), payment_method="card")
    paid = make_invoice(world.reseller, (1000,), status="paid")
    db.session.commit()
    auth.login("staff@dist.test")

    card_page = client.post(f"/staff/invoices/{card.id}/payment-received", data={"text": "X"}, follow_redirects=True)
    paid_page = client.post(f"/staff/invoices/{paid.id}/void", data={"text": "X"}, follow_redirects=True)

    assert "is paid by card: it is settled through the card payment" in card_page.get_data(as_text=True)
    assert f"Invoice {paid.number} is paid: only an open invoice can be settled." in paid_page.get_data(as_text=True)
    assert _status(card.id)[0] == "open" and _status(paid.id)[0] == "paid"
    assert _log(world.reseller.id) == []


def test_a_resellers_invoice_to_its_customer_is_not_the_distributors_to_settle(client, auth, world):
    invoice = make_invoice(world.customer, (1000,))  # issued by Reseller One
    db.session.commit()
    auth.login("staff@dist.test")

    assert client.get(f"/staff/invoices/{invoice.id}/settle").status_code == 404
    assert client.post(f"/staff/invoices/{invoice.id}/payment-received", data={"text": "X"}).status_code == 404
    assert _status(invoice.id)[0] == "open"


def test_the_staff_list_offers_settle_only_for_open_on_account_invoices_of_the_distributor(client, auth, world):
    open_one = make_invoice(world.reseller, (1000,))
    card = make_invoice(world.reseller, (1000,), payment_method="card")
    db.session.commit()
    auth.login("staff@dist.test")

    page = client.get("/staff/invoices").get_data(as_text=True)

    assert f"/staff/invoices/{open_one.id}/settle" in page
    assert f"/staff/invoices/{card.id}/settle" not in page


def test_the_settle_page_shows_the_invoice_and_both_forms(client, auth, world):
    invoice = make_invoice(world.reseller, (1000,), now=datetime(2026, 5, 1, 12, 0))
    db.session.commit()
    auth.login("staff@dist.test")

    page = client.get(f"/staff/invoices/{invoice.id}/settle").get_data(as_text=True)

    assert "Settle invoice " + invoice.number in page and "Reseller One" in page
    assert 'for="payment-reference"' in page and 'for="void-reason"' in page

"""Invoices: issued by one service with one numbering, shown as HTML and PDF to whoever pays
(and its reseller, and staff), listed for the buyer and the back office."""
from datetime import datetime

import pytest

from app.billing.invoicing import IllegalInvoiceTransition, NewInvoiceLine, create_invoice, mark_invoice_paid, void_invoice
from app.billing.models import InvoiceKind, InvoiceStatus
from app.billing.pdf import find_unicode_font
from app.extensions import db
from tests import factories as f

NOW = datetime(2026, 5, 1, 12, 0)


def test_create_invoice_numbers_in_one_sequence_and_adds_tax_on_the_subtotal(world):
    # given the reseller with billing details on file
    f.make_billing_info(world.reseller, legal_name="Reseller One LLC", tax_id="US-1")
    lines = [NewInvoiceLine("Seats, 3/31 of the period", 1000, 3, 968, "3/31"), NewInvoiceLine("QuickStart", 25_005, 1, 25_005)]
    # when a proration and then an order invoice are issued
    proration = create_invoice(world.reseller, "USD", lines, NOW, kind=InvoiceKind.PRORATION)
    second = f.make_invoice(world.customer, (500,), now=NOW)
    # then they follow one sequence; tax is 10 % of the subtotal, half up; due in 30 days on account
    assert (proration.number, second.number) == ("INV-2026-000001", "INV-2026-000002")
    assert (proration.subtotal, proration.tax, proration.total) == (25_973, 2597, 28_570)
    assert [(line.position, line.amount, line.period_fraction) for line in proration.lines] == [(1, 968, "3/31"), (2, 25_005, "")]
    assert (proration.kind, proration.status, (proration.due_at - proration.issued_at).days) == ("proration", "open", 30)
    assert (proration.seller_id, proration.bill_to["name"], proration.bill_to["tax_id"]) == (world.distributor.id, "Reseller One LLC", "US-1")
    assert second.seller_id == world.reseller.id  # a customer is invoiced by its reseller


def test_an_invoice_is_paid_or_voided_once_and_never_both(world):
    paid, voided = f.make_invoice(world.reseller), f.make_invoice(world.reseller)
    mark_invoice_paid(paid, NOW)
    void_invoice(voided, NOW)
    assert (paid.status, paid.paid_at, voided.status, voided.voided_at) == ("paid", NOW, "void", NOW)
    for invoice, change in ((paid, void_invoice), (voided, mark_invoice_paid), (paid, mark_invoice_paid)):
        with pytest.raises(IllegalInvoiceTransition):
            change(invoice, NOW)
    assert (paid.status, voided.status) == ("paid", "void")


def test_the_invoice_page_is_shown_to_its_payer_its_reseller_and_staff_only(client, auth, world):
    invoice = f.make_invoice(world.customer, (1234, 766))
    db.session.commit()
    for email, status in (("admin@customer-a.test", 200), ("admin@reseller.test", 200), ("staff@dist.test", 200),
                          ("admin@customer-b.test", 404), ("admin@other.test", 404), ("admin@customer-z.test", 404)):
        auth.login(email)
        assert client.get(f"/invoices/{invoice.number}").status_code == status, email
        assert client.get(f"/invoices/{invoice.number}.pdf").status_code == status, email
        auth.logout()
    auth.login("admin@customer-a.test")
    page = client.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert "$20.00" in page and "$2.00" in page and "$22.00" in page and "Reseller One" in page


def test_the_pdf_download_carries_the_number_lines_and_total(client, auth, world):
    # given an invoice with lines, and PDFs written uncompressed with the built-in font (readable text)
    client.application.config.update(INVOICE_PDF_COMPRESS=False, INVOICE_PDF_FONT="core")
    f.make_billing_info(world.reseller, legal_name="Reseller One LLC")
    invoice = f.make_invoice(world.reseller, (19_900, 2_000))
    db.session.commit()
    auth.login("member@reseller.test")  # members may look
    try:
        response = client.get(f"/invoices/{invoice.number}.pdf")
    finally:
        client.application.config.update(INVOICE_PDF_COMPRESS=True, INVOICE_PDF_FONT="auto")
    body = response.data
    assert response.mimetype == "application/pdf" and body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    for text in (f"Invoice {invoice.number}", "Reseller One LLC", "Item 1", "$199.00", "Tax \\(10 %\\)", "$21.90", "$240.90"):
        assert text.encode() in body, text


@pytest.mark.skipif(find_unicode_font() is None, reason="no DejaVu Sans on this machine: the built-in font is used")
def test_a_euro_invoice_pdf_embeds_a_unicode_font(app, world):
    from app.billing.pdf import render_invoice_pdf

    germany = f.make_marketplace("DE", "EUR", tax_rate_bp=1900, locale="de_DE", country="DE")
    customer = f.make_customer(world.reseller, name="Kunde GmbH", marketplace=germany)
    invoice = f.make_invoice(customer, (123_456,))
    body = render_invoice_pdf(invoice, "de_DE", {"name": "Reseller One"}, compress=False)
    assert body.startswith(b"%PDF-") and b"DejaVuSans" in body


def test_without_a_unicode_font_euro_amounts_are_spelled_out(app, world):
    from app.billing.pdf import render_invoice_pdf

    germany = f.make_marketplace("FR", "EUR", tax_rate_bp=2000, locale="fr_FR", country="FR")
    customer = f.make_customer(world.reseller, name="Client SARL", marketplace=germany)
    invoice = f.make_invoice(customer, (123_456,))
    body = render_invoice_pdf(invoice, "fr_FR", {"name": "Reseller One"}, font_setting="core", compress=False)
    assert b"1 234,56 EUR" in body and b"1 481,47 EUR" in body


def test_buyers_list_their_own_invoices_and_staff_list_everyones(client, auth, world):
    own = f.make_invoice(world.reseller, (1000,))
    paid = f.make_invoice(world.reseller, (2000,), status="paid", payment_method="card")
    theirs = f.make_invoice(world.other_reseller, (3000,))
    db.session.commit()
    auth.login("admin@reseller.test")
    mine = client.get("/invoices").get_data(as_text=True)
    assert own.number in mine and paid.number in mine and theirs.number not in mine
    only_paid = client.get("/invoices?status=paid").get_data(as_text=True)
    assert paid.number in only_paid and own.number not in only_paid
    assert client.get("/staff/invoices").status_code == 404
    auth.logout()
    auth.login("staff@dist.test")
    everyone = client.get("/staff/invoices?status=open").get_data(as_text=True)
    assert own.number in everyone and theirs.number in everyone and paid.number not in everyone
    assert InvoiceStatus(paid.status) is InvoiceStatus.PAID

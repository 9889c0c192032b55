"""The reseller panel's billing through HTTP: billing information (shown, edited by
administrators only, refused when invalid), the card on file, the on-account credit (limit, used,
remaining by the checkout's own rule), and its invoices (paged, filtered, HTML and PDF; another
tenant's answer 404)."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from app.accounts.activity import ActivityEntry
from app.accounts.models import BillingInfo
from app.billing.services import credit_position, remaining_credit
from app.extensions import db
from app.money import Money
from app.payments.models import PaymentAccount
from tests import factories as f

FORM = {"legal_name": "Reseller One Ltd", "address_line1": "1 Harbour Road", "address_line2": "", "city": "Boston",
        "postal_code": "02110", "country": "US", "tax_id": "us-12 345", "billing_email": "billing@example.com"}


def _plain(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _listed(response, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]+)"', response.get_data(as_text=True))


def _billing_info(organisation_id: int) -> BillingInfo | None:
    db.session.expire_all()
    return db.session.scalar(select(BillingInfo).where(BillingInfo.organisation_id == organisation_id))


def test_the_billing_page_shows_the_credit_used_and_remaining_by_the_checkouts_rule(client, auth, world):
    # given a $1,000.00 limit, two open on-account invoices ($110.00 and $220.00 with tax), a
    # paid one, a void one and an open card invoice (neither counts), and a customer's open invoice
    world.reseller.credit_limit = 100_000
    f.make_invoice(world.reseller, (10_000,))
    f.make_invoice(world.reseller, (20_000,))
    f.make_invoice(world.reseller, (40_000,), status="paid")
    f.make_invoice(world.reseller, (40_000,), status="void")
    f.make_invoice(world.reseller, (5_000,), payment_method="card")
    f.make_invoice(world.customer, (50_000,))
    db.session.commit()
    # then the one service says 330.00 used, 670.00 left, and the checkout's remaining agrees
    position = credit_position(world.reseller)
    assert (position.limit, position.used, position.remaining, position.used_percent) == (
        Money(100_000, "USD"), Money(33_000, "USD"), Money(67_000, "USD"), 33)
    assert remaining_credit(world.reseller) == position.remaining
    # and the page shows it
    auth.login("admin@reseller.test")
    page = client.get("/reseller/billing")
    text = _plain(page)
    assert page.status_code == 200
    assert "Credit limit $1,000.00 Used (open invoices) $330.00 Remaining $670.00" in text
    assert "No billing information yet" in text and "No card saved yet." in text
    assert len(_listed(page, "data-invoice")) == 5 and "All invoices (5)" in text


def test_without_a_credit_limit_the_page_says_so(client, auth, world):
    auth.login("admin@reseller.test")
    assert credit_position(world.reseller) is None
    assert "Reseller One has no on-account credit" in _plain(client.get("/reseller/billing"))


def test_the_card_on_file_is_shown_with_brand_last_digits_and_expiry(client, auth, world):
    db.session.add(PaymentAccount(organisation_id=world.reseller.id, stripe_customer_id="cus_1", default_payment_method_id="pm_1",
                                  card_brand="visa", card_last4="4242", card_exp_month=7, card_exp_year=2031))
    db.session.commit()
    auth.login("admin@reseller.test")
    page = client.get("/reseller/billing")
    assert "Visa ending in 4242 · expires 07/2031" in _plain(page)
    assert 'href="/payments/card?next=/reseller/billing"' in page.get_data(as_text=True) and "Replace the card" in _plain(page)


def test_an_administrator_saves_the_billing_information_and_the_page_shows_it(client, auth, world):
    auth.login("admin@reseller.test")
    assert client.get("/reseller/billing/information").status_code == 200
    saved = client.post("/reseller/billing/information", data=FORM)
    assert saved.status_code == 303 and saved.headers["Location"] == "/reseller/billing"
    info = _billing_info(world.reseller.id)
    assert (info.legal_name, info.city, info.country, info.tax_id, info.billing_email) == (
        "Reseller One Ltd", "Boston", "US", "US-12 345", "billing@example.com")
    text = _plain(client.get("/reseller/billing"))
    assert "Reseller One Ltd 1 Harbour Road 02110 Boston, United States Tax ID US-12 345" in text
    # and a later edit changes the same row
    assert client.post("/reseller/billing/information", data={**FORM, "city": "Cambridge"}).status_code == 303
    assert _billing_info(world.reseller.id).city == "Cambridge"
    assert db.session.scalar(select(db.func.count(BillingInfo.id))) == 1
    # both saves are in its activity log, by its administrator
    log = db.session.scalars(select(ActivityEntry).where(ActivityEntry.organisation_id == world.reseller.id)
                             .order_by(ActivityEntry.id)).all()
    assert [(e.action, e.actor_user_id, e.summary) for e in log] == [
        ("billing.updated", world.users.reseller.id, "Billing information saved: Reseller One Ltd, Boston, US"),
        ("billing.updated", world.users.reseller.id, "Billing information saved: Reseller One Ltd, Cambridge, US")]


def test_invalid_billing_information_is_refused_and_nothing_is_saved(client, auth, world):
    auth.login("admin@reseller.test")
    for bad in ({"country": "XX"}, {"legal_name": ""}, {"billing_email": "not-an-address"}, {"tax_id": "<script>"},
                {"postal_code": "9" * 21}):
        response = client.post("/reseller/billing/information", data={**FORM, **bad})
        assert response.status_code == 400, bad
        assert "is-invalid" in response.get_data(as_text=True), bad
    assert _billing_info(world.reseller.id) is None
    assert db.session.scalar(select(db.func.count(ActivityEntry.id))) == 0


def test_a_member_reads_the_billing_page_but_cannot_edit(client, auth, world):
    f.make_billing_info(world.reseller, legal_name="Reseller One Ltd")
    db.session.commit()
    auth.login("member@reseller.test")
    page = client.get("/reseller/billing")
    assert page.status_code == 200 and "Reseller One Ltd" in _plain(page)
    assert "/reseller/billing/information" not in page.get_data(as_text=True) and "/payments/card" not in page.get_data(as_text=True)
    assert client.get("/reseller/billing/information").status_code == 403
    assert client.post("/reseller/billing/information", data=FORM).status_code == 403
    assert _billing_info(world.reseller.id).legal_name == "Reseller One Ltd"


def test_the_reseller_invoices_are_paged_filtered_and_open_as_html_and_pdf(client, auth, world):
    own = [f.make_invoice(world.reseller, (1000 + i,)).number for i in range(21)]
    paid = f.make_invoice(world.reseller, (500,), status="paid").number
    foreign = f.make_invoice(world.other_reseller, (999,)).number
    db.session.commit()
    auth.login("admin@reseller.test")
    first, second = client.get("/reseller/invoices"), client.get("/reseller/invoices?page=2")
    assert (first.status_code, second.status_code) == (200, 200)
    assert sorted(_listed(first, "data-invoice") + _listed(second, "data-invoice")) == sorted(own + [paid])
    assert _listed(client.get("/reseller/invoices?status=paid"), "data-invoice") == [paid]
    assert 'href="/reseller/invoices?page=2&amp;status=open"' in client.get("/reseller/invoices?status=open").get_data(as_text=True)
    assert client.get("/reseller/invoices?status=bogus&page=zz").status_code == 200
    page = client.get(f"/reseller/invoices/{own[0]}")
    assert page.status_code == 200 and "Total (USD) $11.00" in _plain(page)
    assert f'href="/reseller/invoices/{own[0]}.pdf"' in page.get_data(as_text=True)
    pdf = client.get(f"/reseller/invoices/{own[0]}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    # another reseller's invoice is not found, on any page
    for url in (f"/reseller/invoices/{foreign}", f"/reseller/invoices/{foreign}.pdf", f"/reseller/invoices/{foreign}/authenticate"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/reseller/invoices/{foreign}/pay", data={"seen_attempts": 0}).status_code == 404


def test_a_member_reads_invoices_but_cannot_pay(client, auth, world):
    number = f.make_invoice(world.reseller, (1000,)).number
    db.session.commit()
    auth.login("member@reseller.test")
    assert client.get(f"/reseller/invoices/{number}").status_code == 200
    assert client.post(f"/reseller/invoices/{number}/pay", data={"seen_attempts": 0}).status_code == 403


def test_the_billing_page_makes_the_same_few_queries_whatever_the_number_of_invoices(client, auth, world, count_queries):
    world.reseller.credit_limit = 100_000
    f.make_billing_info(world.reseller)
    f.make_invoice(world.reseller, (1000,))
    db.session.commit()
    auth.login("admin@reseller.test")
    client.get("/reseller/billing")
    with count_queries() as few:
        client.get("/reseller/billing")
    for amount in range(40):
        f.make_invoice(world.reseller, (100 + amount,))
    db.session.commit()
    with count_queries() as many:
        client.get("/reseller/billing")
    assert many.count == few.count and many.count <= 10

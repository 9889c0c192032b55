"""Orders and invoices in the customer panel through HTTP: lists paged in the query and scoped
to the organisation, one order with its provisioning status, one invoice and its PDF, and
paying an open invoice by card against localstripe (3-D Secure in the browser included)."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from app.billing.models import Invoice
from app.extensions import db
from app.payments.cards import set_default_card
from app.payments.models import Payment
from tests import factories as f
from tests.stripe_support import DECLINED_AT_PAYMENT, THREE_D_SECURE, VISA


def _plain(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _listed(response, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]+)"', response.get_data(as_text=True))


def _invoice(number: str) -> Invoice:
    db.session.expire_all()
    return db.session.scalar(select(Invoice).where(Invoice.number == number))


def test_the_orders_list_is_paged_and_shows_the_organisations_own_orders_only(client, auth, world):
    # given 23 orders of customer A and one each of customer B and of its reseller for it
    own = [f.make_order(world.customer, [{"plan": world.customer_plan}], placed_by=world.users.customer, total=100 + i).number
           for i in range(23)]
    f.make_order(world.second_customer, [{"plan": world.customer_plan}], number="ORD-2026-B00001")
    f.make_order(world.reseller, [{"plan": world.customer_plan, "beneficiary": world.customer}], number="ORD-2026-R00001")
    db.session.commit()
    auth.login("admin@customer-a.test")
    # when it reads its orders, page by page
    first, second = client.get("/customer/orders"), client.get("/customer/orders?page=2")
    # then it sees its own 23 orders, 20 then 3, and nobody else's
    assert (first.status_code, second.status_code) == (200, 200)
    shown = _listed(first, "data-order") + _listed(second, "data-order")
    assert (len(_listed(first, "data-order")), sorted(shown)) == (20, sorted(own))
    assert "Page 1 of 2" in _plain(first) and 'href="/customer/orders?page=2"' in first.get_data(as_text=True)
    assert client.get("/customer/orders?page=abc").status_code == 200
    # and one order opens with its provisioning status; another organisation's is not found
    page = client.get(f"/customer/orders/{own[0]}")
    assert page.status_code == 200 and "Provisioning" in _plain(page) and own[0] in _plain(page)
    for number in ("ORD-2026-B00001", "ORD-2026-R00001", "ORD-NONE"):
        assert client.get(f"/customer/orders/{number}").status_code == 404, number


def test_the_invoices_list_is_paged_filtered_and_scoped(client, auth, world):
    own = [f.make_invoice(world.customer, (1000 + i,)).number for i in range(21)]
    paid = f.make_invoice(world.customer, (500,), status="paid").number
    f.make_invoice(world.second_customer, (999,))
    f.make_invoice(world.reseller, (999,))
    db.session.commit()
    auth.login("admin@customer-a.test")
    first, second = client.get("/customer/invoices"), client.get("/customer/invoices?page=2")
    assert sorted(_listed(first, "data-invoice") + _listed(second, "data-invoice")) == sorted(own + [paid])
    assert len(_listed(first, "data-invoice")) == 20
    assert _listed(client.get("/customer/invoices?status=paid"), "data-invoice") == [paid]
    open_first = client.get("/customer/invoices?status=open")
    open_second = client.get("/customer/invoices?status=open&page=2")
    assert sorted(_listed(open_first, "data-invoice") + _listed(open_second, "data-invoice")) == sorted(own)
    assert 'href="/customer/invoices?page=2&amp;status=open"' in open_first.get_data(as_text=True)
    # one invoice and its PDF
    page = client.get(f"/customer/invoices/{own[0]}")
    assert page.status_code == 200 and "Total (USD) $11.00" in _plain(page)
    pdf = client.get(f"/customer/invoices/{own[0]}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="{own[0]}.pdf"'


def test_another_customers_order_and_invoice_answer_404_in_every_page(client, auth, world):
    order = f.make_order(world.second_customer, [{"plan": world.customer_plan}])
    invoice = f.make_invoice(world.second_customer, (1000,))
    db.session.commit()
    auth.login("admin@customer-a.test")
    for url in (f"/customer/orders/{order.number}", f"/customer/invoices/{invoice.number}",
                f"/customer/invoices/{invoice.number}.pdf", f"/customer/invoices/{invoice.number}/authenticate"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/customer/invoices/{invoice.number}/pay", data={"seen_attempts": 0}).status_code == 404
    assert _invoice(invoice.number).status == "open"


def test_an_open_invoice_is_paid_by_card(client, auth, world, localstripe):
    # given an open on-account invoice of customer A ($20.00 + 10 % tax) and a Visa card on file
    set_default_card(world.customer, localstripe.card(VISA))
    invoice = f.make_invoice(world.customer, (2000,))
    number = invoice.number
    db.session.commit()
    auth.login("admin@customer-a.test")
    page = client.get(f"/customer/invoices/{number}")
    assert "Amount due: $22.00" in _plain(page) and "Pay $22.00 by card" in _plain(page)
    # when its administrator pays it
    response = client.post(f"/customer/invoices/{number}/pay", data={"seen_attempts": 0})
    # then exactly the total is charged once and the invoice is paid
    assert (response.status_code, response.headers["Location"]) == (303, f"/customer/invoices/{number}")
    assert [(i["amount"], i["status"], i["metadata"].get("invoice_id")) for i in localstripe.payment_intents()] == [
        (2200, "succeeded", str(invoice.id))]
    paid = _invoice(number)
    assert (paid.status, paid.paid_at is not None) == ("paid", True)
    shown = client.get(response.headers["Location"])
    assert f"Payment received. Thank you! Invoice {number} is paid." in _plain(shown)
    # and paying again is refused next to the button, charging nothing more
    again = client.post(f"/customer/invoices/{number}/pay", data={"seen_attempts": 1})
    assert again.status_code == 409 and f"Invoice {number} is paid already." in _plain(again)
    assert len(localstripe.payment_intents()) == 1


def test_a_declined_card_leaves_the_invoice_open_and_payable_again(client, auth, world, localstripe):
    set_default_card(world.customer, localstripe.card(DECLINED_AT_PAYMENT))
    number = f.make_invoice(world.customer, (2000,)).number
    db.session.commit()
    auth.login("admin@customer-a.test")
    response = client.post(f"/customer/invoices/{number}/pay", data={"seen_attempts": 0})
    shown = client.get(response.headers["Location"])
    assert "The payment did not go through" in _plain(shown) and f"Invoice {number} is not paid" in _plain(shown)
    assert _invoice(number).status == "open"
    assert 'name="seen_attempts" type="hidden" value="1"' in shown.get_data(as_text=True)
    # a new card pays it in a second attempt
    set_default_card(world.customer, localstripe.card(VISA))
    db.session.commit()
    client.post(f"/customer/invoices/{number}/pay", data={"seen_attempts": 1})
    assert _invoice(number).status == "paid"
    assert db.session.scalar(select(Payment.attempts).where(Payment.invoice_id == _invoice(number).id)) == 2


def test_three_d_secure_is_confirmed_in_the_browser_then_the_invoice_is_paid(client, auth, world, localstripe):
    set_default_card(world.customer, localstripe.card(THREE_D_SECURE))
    number = f.make_invoice(world.customer, (2000,)).number
    db.session.commit()
    auth.login("admin@customer-a.test")
    response = client.post(f"/customer/invoices/{number}/pay", data={"seen_attempts": 0})
    assert response.headers["Location"] == f"/customer/invoices/{number}/authenticate"
    page = client.get(response.headers["Location"])
    (intent,) = localstripe.payment_intents()
    assert f'data-client-secret="{intent["client_secret"]}"' in page.get_data(as_text=True)
    assert "confirm the payment of $22.00 for invoice" in _plain(page)
    localstripe.authenticate(intent["id"], intent["client_secret"], success=True)
    confirmed = client.post(f"/customer/invoices/{number}/authenticate", data={})
    assert confirmed.headers["Location"] == f"/customer/invoices/{number}"
    assert _invoice(number).status == "paid"


def test_members_and_resellers_do_not_pay_a_customers_invoice(client, auth, world, localstripe):
    set_default_card(world.customer, localstripe.card(VISA))
    number = f.make_invoice(world.customer, (2000,)).number
    f.make_user(world.customer, "member@customer-a.test", role="member")
    db.session.commit()
    auth.login("member@customer-a.test")
    page = client.get(f"/customer/invoices/{number}")
    assert page.status_code == 200 and "An administrator of Customer A can pay it by card." in _plain(page)
    assert client.post(f"/customer/invoices/{number}/pay", data={"seen_attempts": 0}).status_code == 403
    auth.logout()
    # its reseller sees the invoice it issued, but only the payer pays it
    auth.login("admin@reseller.test")
    assert client.get(f"/customer/invoices/{number}").status_code == 200
    assert client.post(f"/customer/invoices/{number}/pay", data={"seen_attempts": 0}).status_code == 404
    assert _invoice(number).status == "open" and localstripe.payment_intents() == []

"""For an order of every kind: invoice total = order total = the quote the buyer confirmed, in
minor units; and the invoice carries the numbering, lines, tax rule and status of its kind."""
import pytest
from sqlalchemy import select

from app.billing.models import Invoice
from app.orders.models import Order  # (before app.cart: importing the cart first trips an import cycle)
from app.cart.models import CartLine  # noqa: I001
from app.extensions import db
from tests import factories as f
from tests.integration.checkout.helpers import add_to_cart, assert_invoiced_as_quoted, open_checkout, place_order, term_of


def _for_customer(client, customer_id: int, seats: int) -> None:
    line_id = db.session.scalar(select(CartLine.id).order_by(CartLine.id.desc()))
    client.post(f"/cart/lines/{line_id}", data={"beneficiary": f"customer:{customer_id}", "qty-seats": str(seats)})


def _eu_reseller(shop):
    """A reseller in a German (EU) marketplace, invoiced in France with a VAT number."""
    germany = f.make_marketplace("DE", "EUR", tax_rate_bp=1900, locale="de_DE", country="DE", tax_region="EU")
    plan = f.make_plan(shop.product, distributor=shop.distributor, marketplace=germany, audience="reseller", cost=1234, msrp=1500, code="eu-resellers")
    reseller = f.make_reseller(shop.distributor, name="Revendeur SARL", marketplace=germany, credit_limit=1_000_000)
    f.make_billing_info(reseller, country="FR", tax_id="FR12345678901")
    f.make_user(reseller, "admin@revendeur.test")
    db.session.commit()
    return plan


KINDS = {
    # name: (user, payment method, fills the cart given the shop and the EU plan)
    "reseller for itself, on account": ("admin@reseller.test", "on_account", lambda c, s, eu: add_to_cart(c, term_of(s.reseller_plan, "annual"), seats=7, quickstart=1)),
    "reseller for a customer, on account": ("admin@reseller.test", "on_account",
                                            lambda c, s, eu: (add_to_cart(c, term_of(s.customer_plan), seats=9), _for_customer(c, s.customer.id, 9))),
    "reseller, by card": ("admin@reseller.test", "card", lambda c, s, eu: add_to_cart(c, term_of(s.reseller_plan), seats=13)),
    "customer in its own panel, by card": ("admin@customer-a.test", "card", lambda c, s, eu: add_to_cart(c, term_of(s.customer_plan), seats=6, quickstart=1)),
    "reverse charge, on account": ("admin@revendeur.test", "on_account", lambda c, s, eu: add_to_cart(c, term_of(eu))),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_order_is_invoiced_exactly_as_quoted(kind, client, auth, shop, card_on_file, handed_off):
    user, method, fill_cart = KINDS[kind]
    eu_plan = _eu_reseller(shop)
    card_on_file(shop.reseller)
    card_on_file(shop.customer)
    auth.login(user)
    fill_cart(client, shop, eu_plan)
    page = open_checkout(client)
    response = place_order(client, page, payment_method=method)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert_invoiced_as_quoted(order, page)
    invoice = db.session.scalar(select(Invoice))
    assert invoice.number == f"INV-{order.created_at.year}-000001" and handed_off == [order.number]
    assert (invoice.status, invoice.payment_method) == (("paid", "card") if method == "card" else ("open", "on_account"))
    assert invoice.reverse_charge is (kind == "reverse charge, on account")
    assert invoice.bill_to["name"] == order.buyer.billing_info.legal_name


def test_the_reverse_charge_invoice_shows_no_tax_and_says_why(client, auth, shop, handed_off):
    plan = _eu_reseller(shop)
    auth.login("admin@revendeur.test")
    add_to_cart(client, term_of(plan))
    page = open_checkout(client)
    place_order(client, page)
    invoice = db.session.scalar(select(Invoice))
    assert (invoice.subtotal, invoice.tax, invoice.total, invoice.currency, invoice.tax_rate_bp) == (1234, 0, 1234, "EUR", 1900)
    shown = client.get(f"/invoices/{invoice.number}").get_data(as_text=True)
    assert "Reverse charge" in shown and "12,34\xa0€" in shown and "FR12345678901" in shown

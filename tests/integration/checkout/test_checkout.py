"""The checkout through HTTP: ways 1 and 3, the billing gate, terms, credit, price changes and
double submits. Every refusal leaves nothing behind."""
from sqlalchemy import func, select

from app.billing.models import Invoice
from app.cart.models import CartLine
from app.catalog.models import PlanTermPrice
from app.extensions import db
from app.orders.models import Order
from app.plans.models import Subscription
from tests.integration.checkout.helpers import CheckoutPage, add_to_cart, flashes, open_checkout, parse_checkout, place_order, term_of


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_way_1_reseller_buys_for_itself_and_pays_the_quote_it_saw(client, auth, shop, handed_off):
    # given the reseller's admin with a reseller plan, 3 extra seats and a QuickStart in the cart
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=8, quickstart=1)
    # when it opens the checkout and places the order
    page = open_checkout(client)
    response = place_order(client, page)
    # then it lands on the order, whose totals are the quote shown: cost 16 + 3 x 2 + 200, 10 % tax
    order = db.session.scalar(select(Order))
    assert response.status_code == 302 and response.headers["Location"] == f"/orders/{order.number}"
    assert (page.total("subtotal"), page.total("tax"), page.total("total")) == ("$222.00", "$22.20", "$244.20")
    assert (order.subtotal, order.tax, order.total, order.quote_fingerprint) == (22200, 2220, 24420, page.fingerprint)
    assert order.number.startswith("ORD-") and order.status == "placed" and order.buyer_id == shop.reseller.id
    line = order.lines[0]
    assert [(i.description, i.unit_price, i.quantity, i.subtotal) for i in line.items] == [
        ("for-resellers, monthly subscription", 1600, 1, 1600),
        ("Seats beyond the 5 included", 200, 3, 600),
        ("QuickStart", 20000, 1, 20000),
    ]
    assert line.quantities == {"seats": 8, "quickstart": 1} and line.beneficiary_id == shop.reseller.id
    # and a pending subscription of its own, an open invoice due in 30 days, an empty cart
    subscription = line.subscription
    assert (subscription.status, subscription.owner_id, subscription.payer_id) == ("pending", shop.reseller.id, shop.reseller.id)
    assert {r.resource_id: r.quantity for r in subscription.resources} == {shop.seats.id: 8}
    invoice = db.session.scalar(select(Invoice))
    assert (invoice.total, invoice.status, (invoice.due_at - invoice.issued_at).days) == (24420, "open", 30)
    assert [l.amount for l in invoice.lines] == [1600, 600, 20000]
    assert [t["what"] for t in order.terms_acceptance] == ["marketplace", "product:sync-tool"]
    assert count(CartLine) == 0 and handed_off == [order.number]
    # and the order page shows it
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert order.number in shown and "$244.20" in shown and invoice.number in shown


def test_way_3_reseller_buys_for_one_of_its_customers_at_its_cost(client, auth, shop, handed_off):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.customer_plan), seats=10)
    line_id = db.session.scalar(select(CartLine.id))
    client.post(f"/cart/lines/{line_id}", data={"beneficiary": f"customer:{shop.customer.id}", "qty-seats": "10"})
    page = open_checkout(client)
    assert "For Customer A" in page.text
    response = place_order(client, page)
    order = db.session.scalar(select(Order))
    assert response.status_code == 302
    assert (page.total("total"), order.total) == ("$19.80", 1980)  # (8 + 5 x 2) + 10 % tax
    assert order.buyer_id == shop.reseller.id and order.lines[0].beneficiary_id == shop.customer.id
    subscription = order.lines[0].subscription
    assert (subscription.owner_id, subscription.payer_id, subscription.status) == (shop.customer.id, shop.reseller.id, "pending")


def test_a_reseller_buying_for_a_new_customer_creates_it_with_its_administrator(client, auth, shop, handed_off):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.customer_plan))
    line_id = db.session.scalar(select(CartLine.id))
    client.post(f"/cart/lines/{line_id}", data={"beneficiary": "new", "new_customer_name": "Newco Ltd",
                                               "new_customer_email": "Boss@Newco.example"})
    place_order(client, open_checkout(client))
    line = db.session.scalar(select(Order)).lines[0]
    assert (line.beneficiary.name, line.beneficiary.kind, line.beneficiary.parent_id) == ("Newco Ltd", "customer", shop.reseller.id)
    assert line.admin_email == "boss@newco.example" and line.subscription.owner_id == line.beneficiary_id


def test_checkout_sends_a_buyer_without_billing_information_to_fill_it_in_and_back(client, auth, shop):
    auth.login("admin@reseller.test")
    db.session.delete(shop.reseller.billing_info)
    db.session.commit()
    add_to_cart(client, term_of(shop.reseller_plan))
    response = client.get("/checkout")
    assert response.headers["Location"] == "/account/billing?next=/checkout"
    refused = client.post("/account/billing?next=/checkout", data={"legal_name": "Reseller One Inc.", "country": "XX", "next": "/checkout"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)
    saved = client.post("/account/billing", data={
        "legal_name": "Reseller One Inc.", "address_line1": "1 Main St", "city": "Austin", "postal_code": "78701",
        "country": "US", "tax_id": "us-99", "billing_email": "ap@reseller.example", "next": "/checkout"})
    assert saved.headers["Location"] == "/checkout"
    db.session.expire_all()
    assert (shop.reseller.billing_info.legal_name, shop.reseller.billing_info.tax_id) == ("Reseller One Inc.", "US-99")
    assert client.get("/checkout").status_code == 200


def test_terms_must_all_be_accepted_and_nothing_is_saved_otherwise(client, auth, shop):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan))
    page = open_checkout(client)
    response = place_order(client, page, terms=page.terms[:1])
    assert response.status_code == 400
    assert "Please accept Vendor terms for Sync Tool to place the order." in flashes(response)
    assert count(Order) == count(Subscription) == count(Invoice) == 0 and count(CartLine) == 1


def test_an_order_over_the_remaining_credit_is_refused_saying_how_much_is_left(client, auth, shop):
    auth.login("admin@reseller.test")
    shop.reseller.credit_limit = 5000
    db.session.commit()
    add_to_cart(client, term_of(shop.reseller_plan), quickstart=1)
    response = place_order(client, open_checkout(client))
    assert response.status_code == 400
    assert "This order of $237.60 is over your credit limit: only $50.00 of credit left." in flashes(response)
    assert count(Order) == count(Invoice) == count(Subscription) == 0 and count(CartLine) == 1


def test_open_invoices_use_up_the_credit(client, auth, shop, handed_off):
    auth.login("admin@reseller.test")
    shop.reseller.credit_limit = 2000
    db.session.commit()
    add_to_cart(client, term_of(shop.reseller_plan))  # 16.00 + 1.60 tax
    assert place_order(client, open_checkout(client)).status_code == 302
    add_to_cart(client, term_of(shop.reseller_plan))
    response = place_order(client, open_checkout(client))
    assert "only $2.40 of credit left" in flashes(response)[0] and count(Order) == 1


def test_a_changed_price_shows_the_new_quote_and_asks_again(client, auth, shop, handed_off):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan))
    page = open_checkout(client)
    # the distributor raises the reseller cost between the summary and the click
    price = db.session.scalar(select(PlanTermPrice).where(PlanTermPrice.plan_term_id == term_of(shop.reseller_plan).id))
    price.cost = 1700
    db.session.commit()
    response = place_order(client, page)
    again = parse_checkout(response)
    assert response.status_code == 409 and count(Order) == 0
    assert "Prices changed since you looked" in flashes(response)[0]
    assert again.total("total") == "$18.70" and again.fingerprint != page.fingerprint
    assert place_order(client, again).status_code == 302
    assert db.session.scalar(select(Order.total)) == 1870


def test_submitting_the_same_checkout_twice_places_one_order(client, auth, shop, handed_off):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan))
    page = open_checkout(client)
    first = place_order(client, page)
    second = place_order(client, page)  # a double click, or back and submit again
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Order) == count(Invoice) == count(Subscription) == 1 and len(handed_off) == 1


def test_members_may_look_but_not_place_orders(client, auth, shop):
    auth.login("member@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan))
    response = client.get("/checkout", follow_redirects=True)
    assert "Only administrators of Reseller One can place orders." in flashes(response)
    posted = place_order(client, CheckoutPage(200, "", "0" * 64, "0" * 32, ["marketplace@2026-01"]))
    assert posted.headers["Location"] == "/cart" and count(Order) == 0


def test_checkout_requires_signing_in(client, shop):
    assert client.get("/checkout").headers["Location"].startswith("/sign-in")


def test_an_invalid_cart_is_sent_back_to_the_cart(client, auth, shop):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.customer_plan))  # a customer plan still for nobody
    response = client.get("/checkout", follow_redirects=True)
    assert "Some lines in your cart need attention before you check out." in flashes(response)
    assert "choose the customer you are buying it for" in response.get_data(as_text=True)

"""The cart: anonymous in the session, per user in the database, merged on sign-in; lines
changed, removed and completed with their details. A refused change saves nothing."""
from sqlalchemy import select

from app.cart.models import Cart, CartLine
from app.extensions import db
from tests import factories as f
from tests.integration.checkout.helpers import add_to_cart, flashes, term_of


def cart_lines():
    db.session.expire_all()
    return list(db.session.scalars(select(CartLine).order_by(CartLine.id)))


def test_a_visitor_adds_extra_seats_and_a_quickstart_priced_at_retail(client, world):
    response = add_to_cart(client, term_of(world.customer_plan), seats=8, quickstart=1)
    assert response.headers["Location"] == "/cart"
    page = client.get("/cart").get_data(as_text=True)
    # 10.00 + 3 x 3.00 + 250.00 at MSRP
    assert "$269.00" in page and 'data-cart-count="1"' in page
    with client.session_transaction() as session:
        assert session["cart"]["lines"][0]["quantities"] == {"seats": 8, "quickstart": 1}


def test_signing_in_merges_the_visitors_cart_into_the_users_cart(client, auth, world):
    add_to_cart(client, term_of(world.reseller_plan), seats=6)
    auth.login("admin@reseller.test")
    assert [(l.plan_term_id, l.quantities) for l in cart_lines()] == [(term_of(world.reseller_plan).id, {"seats": 6, "quickstart": 0})]
    with client.session_transaction() as session:
        assert "cart" not in session
    assert "$18.00" in client.get("/cart").get_data(as_text=True)  # now at reseller cost: 16 + 1 x 2


def test_quantities_outside_the_plan_are_refused_when_adding(client, auth, world):
    auth.login("admin@reseller.test")
    for bad in ("4", "101", "-5", "ten", "99999999999"):
        response = add_to_cart(client, term_of(world.reseller_plan), seats=bad)
        assert response.status_code == 302 and "/products/sync-tool" in response.headers["Location"]
    assert cart_lines() == []
    shown = add_to_cart(client, term_of(world.reseller_plan), seats=4, follow_redirects=True)
    assert "Seats: choose between 5 and 100." in flashes(shown)


def test_changing_quantities_and_removing_lines(client, auth, world):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(world.reseller_plan))
    line = cart_lines()[0]
    client.post(f"/cart/lines/{line.id}/quantities", data={"qty-seats": "12", "qty-quickstart": "1"})
    assert cart_lines()[0].quantities == {"seats": 12, "quickstart": 1}
    refused = client.post(f"/cart/lines/{line.id}/quantities", data={"qty-seats": "1000"}, follow_redirects=True)
    assert "Seats: choose between 5 and 100." in flashes(refused)
    assert cart_lines()[0].quantities == {"seats": 12, "quickstart": 1}
    client.post(f"/cart/lines/{line.id}/remove")
    assert cart_lines() == []
    assert client.post(f"/cart/lines/{line.id}/remove").status_code == 404


def test_another_users_cart_line_is_not_found(client, auth, world):
    auth.login("admin@other.test")
    add_to_cart(client, term_of(world.reseller_plan))
    other_line = cart_lines()[0]
    auth.logout()
    auth.login("admin@reseller.test")
    assert client.get(f"/cart/lines/{other_line.id}").status_code == 404
    assert client.post(f"/cart/lines/{other_line.id}/remove").status_code == 404
    assert len(cart_lines()) == 1


def test_another_resellers_customer_is_refused_and_nothing_is_saved(client, auth, world):
    auth.login("admin@reseller.test")
    response = add_to_cart(client, term_of(world.customer_plan))
    line = cart_lines()[0]
    assert response.headers["Location"] == f"/cart/lines/{line.id}"  # a customer plan: for whom?
    refused = client.post(f"/cart/lines/{line.id}", data={"beneficiary": f"customer:{world.foreign_customer.id}"})
    assert refused.status_code == 400 and "That customer is not one of yours." in refused.get_data(as_text=True)
    assert cart_lines()[0].beneficiary == {"kind": "self", "organisation_id": None, "name": "", "admin_email": ""}
    page = client.get(f"/cart/lines/{line.id}").get_data(as_text=True)
    assert "Customer A" in page and "Customer B" in page and "Customer Z" not in page


def test_ordering_parameters_are_filled_in_on_the_line_page(client, world):
    product = f.make_product(world.category, name="Mail", parameters=[
        dict(key="domain", label="Domain name", kind="domain"),
        dict(key="admin", label="Admin user", kind="text", default="Admin"),
    ])
    plan = f.make_plan(product, distributor=world.distributor, marketplace=world.us)
    db.session.commit()
    response = add_to_cart(client, term_of(plan))
    line_url = response.headers["Location"]
    assert line_url.startswith("/cart/lines/")
    refused = client.post(line_url, data={"param-domain": "not a domain"})
    assert "“not a domain” is not a valid domain name" in refused.get_data(as_text=True)
    client.post(line_url, data={"param-domain": "Example.COM", "param-admin": ""})
    with client.session_transaction() as session:
        assert session["cart"]["lines"][0]["parameters"] == {"domain": "Example.COM", "admin": ""}
    assert "Complete the details" not in client.get("/cart").get_data(as_text=True)


def test_renewal_only_products_cannot_be_added(client, world):
    world.product.renewal_upgrade_only = True
    db.session.commit()
    response = add_to_cart(client, term_of(world.customer_plan))
    assert response.status_code == 302 and "/products/" in response.headers["Location"]
    with client.session_transaction() as session:
        assert "cart" not in session


def test_a_cart_holds_one_marketplace_and_switching_region_tells_the_user(client, auth, world):
    eu = f.make_marketplace("EU", "EUR", country="DE", tax_region="EU", name="European Union")
    plan = f.make_plan(world.product, distributor=world.distributor, marketplace=eu, audience="reseller", code="eu-plan")
    db.session.commit()
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(world.reseller_plan))
    switched = client.post("/region", data={"region": "EU", "next": "/cart"}, follow_redirects=True)
    assert any(message.startswith("Your cart holds items from US (USD)") for message in flashes(switched))
    refused = add_to_cart(client, term_of(plan))
    assert refused.status_code == 302 and len(cart_lines()) == 1
    assert client.get("/checkout").headers["Location"] == "/cart"
    assert db.session.scalar(select(Cart.marketplace_id)) == world.us.id


def test_cart_checkout_and_billing_forms_refuse_posts_without_a_csrf_token(make_app, world):
    client = make_app(csrf=True).test_client()
    for url in ("/cart/add", "/cart/lines/1/remove", "/cart/lines/1/quantities", "/checkout", "/account/billing"):
        response = client.post(url, data={"plan_term_id": str(term_of(world.reseller_plan).id)})
        assert response.status_code in (400, 302), url  # 302: sign in first
        assert response.status_code == 400 or response.headers["Location"].startswith("/sign-in")
    with client.session_transaction() as session:
        assert "cart" not in session

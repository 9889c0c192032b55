"""The navbar's cart count, read with the signed-in user in one query (app.cart.counting), is
right on every page: after changes from another session and after a change in the same request."""
import re

from flask import render_template_string
from flask_login import current_user

from app.cart.services import UserCart
from app.extensions import db
from app.orders.lines import LineRequest
from tests import factories as f
from tests.integration.checkout.helpers import add_to_cart, term_of


def navbar_count(client, url="/catalog/") -> int:
    return int(re.search(r'data-cart-count="(\d+)"', client.get(url).get_data(as_text=True)).group(1))


def test_a_line_added_in_one_session_counts_in_the_user_s_other_session(app, auth, client, world):
    # Given the same reseller admin signed in on two browsers
    other = app.test_client()
    auth.login("admin@reseller.test")
    other.post("/sign-in", data={"email": "admin@reseller.test", "password": f.PASSWORD})
    assert (navbar_count(client), navbar_count(other)) == (0, 0)
    # When one adds two lines, Then the other counts them on its next page
    add_to_cart(client, term_of(world.reseller_plan))
    add_to_cart(client, term_of(world.reseller_plan, "annual"))
    assert (navbar_count(client), navbar_count(other)) == (2, 2)


def test_a_line_added_in_the_same_request_counts_on_that_page(fresh_app, auth, world):
    # Given a route that adds a line to the signed-in user's cart, then renders the layout's count
    application = fresh_app()

    def add_then_count():
        UserCart(current_user).add(LineRequest(term_of(world.reseller_plan).id), world.us.id)
        return render_template_string("{{ cart_count() }}")

    application.add_url_rule("/dummy/add-then-count", "dummy_add_then_count", add_then_count)
    client = application.test_client()
    client.post("/sign-in", data={"email": "admin@reseller.test", "password": f.PASSWORD})
    # Then the count read with the user (0) is not trusted once the session wrote a cart row
    assert client.get("/dummy/add-then-count").get_data(as_text=True) == "1"
    db.session.rollback()

"""The cart: what a buyer is about to order, before the checkout places it."""
from flask import Blueprint, flash, session
from flask_login import user_logged_in

bp = Blueprint("cart", __name__)

from app.cart import counting, routes  # noqa: E402,F401  (counting: the navbar's count, read with the user)
from app.cart.services import merge_into_user_cart  # noqa: E402


@user_logged_in.connect
def _merge_anonymous_cart(sender, user, **extra) -> None:
    """On sign-in, the visitor's cart joins the user's saved cart."""
    result = merge_into_user_cart(session, user)
    for message in result.left_out:
        flash(message, "warning")

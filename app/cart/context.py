"""The cart of the current request: the signed-in user's stored cart, else the session's."""
from flask import request, session
from flask_login import current_user

from app.cart.services import SessionCart, UserCart


def current_cart():
    """The visitor's cart store, once per request (not ``g``: tests keep one app context open)."""
    cache = request.environ.setdefault("cart.request_cache", {})
    if "store" not in cache:
        cache["store"] = UserCart(current_user) if current_user.is_authenticated else SessionCart(session)
    return cache["store"]

"""The navbar's cart count without a query of its own: read with the signed-in user
(``app.accounts.services.USER_FIGURES``) and trusted until the session writes a cart row."""
from __future__ import annotations

from itertools import chain

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.services import USER_FIGURES
from app.accounts.signed_in import EVERYONE, SNAPSHOT_ROWS, loaded_value, user_key
from app.cart.models import Cart, CartLine

FIGURE = "cart_lines"
_FLAG = "cart_changed"
_CART_TABLES = frozenset({Cart.__table__.name, CartLine.__table__.name})


def _cart_lines_of_user():
    return (
        select(func.count(CartLine.id))
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(Cart.user_id == User.id)
        .scalar_subquery()
    )


USER_FIGURES[FIGURE] = _cart_lines_of_user


def _users_of_cart(session: Session, cart: Cart):
    user_id = loaded_value(cart, "user_id")
    return (user_key(user_id),) if user_id is not None else (EVERYONE,)


def _users_of_cart_line(session: Session, line: CartLine):
    # The cart is in the session whenever its lines are changed through it; else every user.
    cart_id = loaded_value(line, "cart_id")
    cart = session.identity_map.get(inspect(Cart).identity_key_from_primary_key((cart_id,))) if cart_id else None
    return _users_of_cart(session, cart) if cart is not None else (EVERYONE,)


# The count rides on the signed-in user's snapshot (app.accounts.signed_in): a cart write makes
# its user's snapshot stale.
SNAPSHOT_ROWS[Cart] = _users_of_cart
SNAPSHOT_ROWS[CartLine] = _users_of_cart_line


def preloaded_count(user, session) -> int | None:
    """The user's cart line count read with the user, unless this session has written (or is
    about to write) a cart row since: then ``None`` and the caller counts."""
    figures = getattr(user, "figures", None)
    if not figures or figures.get(FIGURE) is None or session.info.get(_FLAG):
        return None
    if any(isinstance(o, (Cart, CartLine)) for o in chain(session.new, session.dirty, session.deleted)):
        return None
    return figures[FIGURE]


@event.listens_for(Session, "after_flush")
def _note_cart_writes(session, flush_context) -> None:
    if any(isinstance(o, (Cart, CartLine)) for o in chain(session.new, session.dirty, session.deleted)):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_cart_writes(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and getattr(
        getattr(state.statement, "table", None), "name", None
    ) in _CART_TABLES:
        state.session.info[_FLAG] = True

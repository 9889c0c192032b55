"""The navbar's cart count without a query of its own: read with the signed-in user
(``app.accounts.services.USER_FIGURES``) and trusted until the session writes a cart row."""
from __future__ import annotations

from itertools import chain

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.services import USER_FIGURES
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

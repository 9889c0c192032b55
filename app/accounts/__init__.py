"""Organisations, users, sign-in."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import profile, routes  # noqa: E402,F401

from app.accounts.models import User  # noqa: E402
from app.accounts.services import load_signed_in_user  # noqa: E402
from app.accounts.signed_in import signed_in_user  # noqa: E402
from app.extensions import login_manager  # noqa: E402


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user of this request, as the database has it now (``signed_in_user``); a
    user disabled or removed since the sign-in is signed out by this very request."""
    if not user_id.isdigit():
        return None
    user = signed_in_user(int(user_id), load_signed_in_user)
    return user if user is not None and user.is_active else None

"""Subscriptions and their lifecycle: increases, decreases, cancel, resume, renewal, duties.
The domain only: the pages are in the panels (``app.control_panel``, ``app.back_office``); the
``run-duties`` command is in ``cli.py``."""
from flask import Blueprint

# No routes: registering it installs the payment hooks and the ``flask run-duties`` command.
bp = Blueprint("plans", __name__, cli_group=None)


@bp.record_once
def _register_payment_hooks(state) -> None:
    from app.plans.collection import register_hooks  # collection imports orders and billing: not at package import

    register_hooks()


from app.plans import cli  # noqa: E402,F401

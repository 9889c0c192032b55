"""Subscriptions and their lifecycle: increases, decreases, cancel, resume, renewal, duties.
The domain only: the pages are in the panels (``app.control_panel``, ``app.back_office``); the
``run-duties`` command is in ``cli.py``."""
from flask import Blueprint

# No routes: registering it installs the payment hooks and the ``flask run-duties`` command.
bp = Blueprint("plans", __name__, cli_group=None)


@bp.record_once
def _register_payment_hooks(state) -> None:
    from app.plans.collection import register_hooks  # collection imports orders and billing: not at package import
    from app.plans import version  # noqa: F401  (the subscriptions version's listeners)
    from app.plans.margins import keep_margins
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "before_flush", keep_margins):
        event.listen(Session, "before_flush", keep_margins)

    register_hooks()


@bp.app_template_global("subscription_status")
def _subscription_status(subscription, awaiting_payment: bool = False):
    """Templates word a subscription's status through the one ``display_status``."""
    from app.plans.queries import status_of  # queries imports the models: not at package import

    return status_of(subscription, awaiting_payment)


from app.plans import cli  # noqa: E402,F401

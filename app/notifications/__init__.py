"""Notifications: every message in an outbox (written with the change it announces), sent by
the mail jobs after the commit, and readable by distributor staff at ``/staff/outbox``."""
from flask import Blueprint

from app.notifications.outbox import queue_notification  # noqa: F401

bp = Blueprint("notifications", __name__)


@bp.record_once
def _send_after_commit(state) -> None:
    from app.mail.outbox import install_session_hooks

    install_session_hooks()


from app.notifications import routes  # noqa: E402,F401

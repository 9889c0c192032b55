"""Events and signed webhooks: the event store, endpoints registered by admins, and the RQ jobs
that deliver each event to each endpoint with retries for days.

The pages (``views.py``) are mounted on the reseller and customer panels; this blueprint has
no routes: registering it installs the session hooks that enqueue deliveries after a commit.
"""
from flask import Blueprint

bp = Blueprint("webhooks", __name__)


@bp.record_once
def _deliver_after_commit(state) -> None:
    from app.webhooks.dispatch import install_session_hooks

    install_session_hooks()

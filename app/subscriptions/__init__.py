"""The subscription pages (overview, detail, change resource limits, cancel, resume) and the
``flask run-duties`` command. Every rule lives in ``app.plans``; the views only call it."""
from flask import Blueprint

bp = Blueprint("subscriptions", __name__, cli_group=None)


@bp.record_once
def _register_payment_hooks(state) -> None:
    from app.plans.collection import register_hooks

    register_hooks()


from app.subscriptions import cli, routes  # noqa: E402,F401

"""Provisioning: fulfillment requests, connectors and the RQ jobs that run them."""
from flask import Blueprint

bp = Blueprint("provisioning", __name__, cli_group=None)


@bp.record_once
def _install_hooks(state) -> None:
    from app.provisioning.dispatch import install_session_hooks

    install_session_hooks()


@bp.app_template_global("provisioning_progress")
def _provisioning_progress(order):
    from app.provisioning.progress import order_progress

    return order_progress(order)


# Every model first, in the factory's order: importing this package alone (the vendor simulator
# does, by ``python -m``) must not start an import cycle between areas.
from app import models  # noqa: E402,F401
from app.provisioning import cli, routes  # noqa: E402,F401

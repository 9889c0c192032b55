"""Provisioning: fulfillment requests, connectors and the RQ jobs that run them."""
from flask import Blueprint

bp = Blueprint("provisioning", __name__, cli_group=None)

# Every model first, in the factory's order: importing this package alone (the vendor simulator
# does, by ``python -m``) must not start an import cycle between areas.
from app import models  # noqa: E402,F401
from app.plans.hooks import register_vendor_requests  # noqa: E402
from app.provisioning import cli, routes  # noqa: E402,F401
from app.provisioning.dispatch import install_session_hooks  # noqa: E402
from app.provisioning.handoff import vendor_request  # noqa: E402
from app.provisioning.progress import order_progress  # noqa: E402


@bp.record_once
def _install_hooks(state) -> None:
    install_session_hooks()
    register_vendor_requests(vendor_request)  # plans, below provisioning, tells the vendor through it


@bp.app_template_global("provisioning_progress")
def _provisioning_progress(order):
    return order_progress(order)

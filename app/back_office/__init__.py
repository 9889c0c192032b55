"""The back office (/staff/): the distributor's staff pages with one navigation (provisioning,
invoices, outbox, subscriptions) and a home. Anyone but distributor staff gets 404. The domain
code these pages call stays in its area (``provisioning``, ``billing``, ``mail``, ``plans``)."""
from flask import Blueprint

from app.accounts.access import is_staff, panel_guard
from app.control_panel.subscription_views import ADMIN_VIEWS, add_subscription_pages
from app.orders.report_views import add_report_pages

bp = Blueprint("back_office", __name__, url_prefix="/staff")
# Any staff user may retry provisioning or read the outbox; changing a subscription needs an admin.
bp.before_request(panel_guard(is_staff, members_write=True, admin_endpoints=ADMIN_VIEWS))


@bp.context_processor
def _layout() -> dict:
    return {"panel_layout": "back_office/layout.html"}


add_subscription_pages(bp)
add_report_pages(bp, own_sales_only=False)

from app.back_office import (catalog, catalog_plans, home, invoices, orders, organisations, outbox, price_lists,  # noqa: E402,F401
                             provisioning, queues)

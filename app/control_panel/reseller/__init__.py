"""The reseller panel (/reseller/): administrators of an organisation the distributor enabled
for reselling; its members may look (GET) but not act. Anyone else: 404."""
from flask import Blueprint

from app.accounts.access import is_reseller, panel_guard
from app.control_panel.activity_views import add_activity_pages
from app.control_panel.invoice_views import add_invoice_pages
from app.control_panel.api_keys import API_KEY_VIEWS, add_api_key_pages
from app.control_panel.subscription_views import ADMIN_VIEWS, add_subscription_pages
from app.control_panel.team import add_team_pages
from app.control_panel.webhook_views import WEBHOOK_ADMIN_VIEWS, add_webhook_pages
from app.orders.report_views import add_report_pages

bp = Blueprint("reseller", __name__, url_prefix="/reseller")
guard = panel_guard(is_reseller, admin_endpoints=(*ADMIN_VIEWS, *API_KEY_VIEWS, *WEBHOOK_ADMIN_VIEWS, "new_customer",
                                                   "edit_billing_information"))
bp.before_request(guard)


@bp.context_processor
def _layout() -> dict:
    return {"panel_layout": "control_panel/reseller/layout.html"}


add_subscription_pages(bp)
add_team_pages(bp)
add_invoice_pages(bp)
add_activity_pages(bp)
add_report_pages(bp, own_sales_only=True)
add_api_key_pages(bp)
add_webhook_pages(bp)

from app.control_panel.reseller import prices  # noqa: E402,F401
from app.control_panel.reseller import routes  # noqa: E402,F401
from app.control_panel.reseller import storefront, support  # noqa: E402,F401
from app.control_panel.reseller import customers, customer_users  # noqa: E402,F401
from app.control_panel.reseller import buying  # noqa: E402,F401
from app.control_panel.reseller import billing  # noqa: E402,F401
from app.control_panel.reseller import reconciliation  # noqa: E402,F401

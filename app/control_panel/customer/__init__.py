"""The customer panel (/customer/): users of every buying organisation (customers, direct
customers, resellers not enabled for reselling); members may look (GET) but not act. Distributor
staff get 404: they work in the back office."""
from flask import Blueprint

from app.accounts.access import is_buyer, panel_guard
from app.control_panel.activity_views import add_activity_pages
from app.control_panel.invoice_views import add_invoice_pages
from app.control_panel.api_keys import API_KEY_VIEWS, add_api_key_pages
from app.control_panel.subscription_views import ADMIN_VIEWS, add_subscription_pages
from app.control_panel.webhook_views import WEBHOOK_ADMIN_VIEWS, add_webhook_pages

bp = Blueprint("customer", __name__, url_prefix="/customer")
bp.before_request(panel_guard(is_buyer, admin_endpoints=ADMIN_VIEWS + API_KEY_VIEWS + WEBHOOK_ADMIN_VIEWS))


@bp.context_processor
def _layout() -> dict:
    return {"panel_layout": "control_panel/customer/layout.html"}


add_subscription_pages(bp)
add_invoice_pages(bp)
add_activity_pages(bp)
add_api_key_pages(bp)
add_webhook_pages(bp)

from app.control_panel.customer import routes  # noqa: E402,F401
from app.control_panel.customer import marketplace, orders_invoices  # noqa: E402,F401
from app.control_panel.customer import seats, users  # noqa: E402,F401
from app.control_panel.customer import support  # noqa: E402,F401

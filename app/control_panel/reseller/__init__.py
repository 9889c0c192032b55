"""The reseller panel (/reseller/): administrators of an organisation the distributor enabled
for reselling; its members may look (GET) but not act. Anyone else: 404."""
from flask import Blueprint

from app.accounts.access import is_reseller, panel_guard
from app.control_panel.subscription_views import ADMIN_VIEWS, add_subscription_pages
from app.control_panel.webhook_views import WEBHOOK_ADMIN_VIEWS, add_webhook_pages

bp = Blueprint("reseller", __name__, url_prefix="/reseller")
guard = panel_guard(is_reseller, admin_endpoints=ADMIN_VIEWS + WEBHOOK_ADMIN_VIEWS)
bp.before_request(guard)


@bp.context_processor
def _layout() -> dict:
    return {"panel_layout": "control_panel/reseller/layout.html"}


add_subscription_pages(bp)
add_webhook_pages(bp)

from app.control_panel.reseller import routes  # noqa: E402,F401
from app.control_panel.reseller import support  # noqa: E402,F401
from app.control_panel.reseller import reconciliation  # noqa: E402,F401

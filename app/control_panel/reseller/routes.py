from app.control_panel.reseller import bp
from app.control_panel.subscription_views import overview


@bp.get("/")
def home():
    """The panel's home: for now the subscriptions overview (own and customers')."""
    return overview()

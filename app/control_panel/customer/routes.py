from app.control_panel.customer import bp
from app.control_panel.subscription_views import overview


@bp.get("/")
def home():
    """The panel's home: for now the subscriptions overview."""
    return overview()

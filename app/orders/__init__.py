"""Orders: the checkout that places them and the buyer's pages that show them, prices frozen."""
from flask import Blueprint

bp = Blueprint("orders", __name__)

from app.orders import routes  # noqa: E402,F401


@bp.app_template_filter("minor")
def minor_units(amount: int, currency: str) -> str:
    """``{{ 1250 | minor("USD") }}`` -> "$12.50" in the current marketplace's locale."""
    from app.catalog.context import current_marketplace
    from app.money import Money

    marketplace = current_marketplace()
    return Money(int(amount), currency).format(marketplace.locale if marketplace else "en_US")

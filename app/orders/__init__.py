"""Orders: the checkout that places them and the buyer's pages that show them, prices frozen."""
from flask import Blueprint

bp = Blueprint("orders", __name__, cli_group=None)

from app.catalog.context import current_marketplace  # noqa: E402
from app.money import Money  # noqa: E402
from app.orders import cli, routes, settlement  # noqa: E402,F401
from app.orders.purchases import purchase_payment_method  # noqa: E402
from app.payments.hooks import register_payment_hook  # noqa: E402
from app.plans.hooks import register_purchase_lookup  # noqa: E402


@bp.record_once
def _settle_orders_on_card_payments(state) -> None:
    register_payment_hook("succeeded", settlement.on_card_payment_succeeded)
    register_payment_hook("failed", settlement.on_card_payment_failed)
    register_payment_hook("refunded", settlement.on_card_payment_refunded)
    register_purchase_lookup(purchase_payment_method)  # plans, below orders, asks how a subscription was bought


@bp.app_template_filter("minor")
def minor_units(amount: int, currency: str) -> str:
    """``{{ 1250 | minor("USD") }}`` -> "$12.50" in the current marketplace's locale."""
    marketplace = current_marketplace()
    return Money(int(amount), currency).format(marketplace.locale if marketplace else "en_US")

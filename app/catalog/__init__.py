"""The storefront: regions, categories, products, plans and the viewer's prices."""
from flask import Blueprint, g, url_for

bp = Blueprint("catalog", __name__)


@bp.app_template_global("parameter_summary")
def _parameter_summary(product, values) -> str:
    """Every page and mail shows ordering-parameter values through ``parameters.parameter_summary``."""
    return parameter_summary(product.parameters, values)


# The catalog's own pages, or a reseller's white-label storefront showing the same content
# (``app.white_label`` sets ``g.shop_slug``; the content's cache key includes it).
SHOP_ENDPOINTS = {"catalog.index": "white_label.home", "catalog.browse": "white_label.browse",
                  "catalog.product": "white_label.product"}


@bp.app_template_global("shop_url")
def _shop_url(endpoint: str, **values) -> str:
    """``url_for(endpoint)``, or its white-label storefront counterpart while one is shown."""
    shop = g.get("shop_slug")
    if shop and endpoint in SHOP_ENDPOINTS:
        return url_for(SHOP_ENDPOINTS[endpoint], shop=shop, **values)
    return url_for(endpoint, **values)


from app.catalog import invalidation, routes  # noqa: E402,F401  (invalidation: the cache's listeners)
from app.catalog.parameters import parameter_summary  # noqa: E402

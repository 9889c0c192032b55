"""The storefront: regions, categories, products, plans and the viewer's prices."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)


@bp.app_template_global("parameter_summary")
def _parameter_summary(product, values) -> str:
    """Every page and mail shows ordering-parameter values through ``parameters.parameter_summary``."""
    return parameter_summary(product.parameters, values)


from app.catalog import invalidation, routes  # noqa: E402,F401  (invalidation: the cache's listeners)
from app.catalog.parameters import parameter_summary  # noqa: E402

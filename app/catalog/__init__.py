"""The storefront: regions, categories, products, plans and the viewer's prices."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)

from app.catalog import invalidation, routes  # noqa: E402,F401  (invalidation: the cache's listeners)

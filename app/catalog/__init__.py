"""The storefront: regions, categories, products, plans and the viewer's prices."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)

from app.catalog import routes  # noqa: E402,F401

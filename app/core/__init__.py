"""Cross-cutting web pieces: health check, error pages, headers, template helpers, CLI."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from app.core import routes  # noqa: E402,F401

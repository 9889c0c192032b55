from flask import current_app, jsonify, send_from_directory
from sqlalchemy import text

from app.core import bp
from app.extensions import db
from app.queue import redis_connection


@bp.get("/healthz")
def healthz():
    """The database's and Redis's state: 200 when both answer, 503 otherwise."""
    checks = {"database": "up", "redis": "up"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "down"
        current_app.logger.warning("health check: database down: %s", error)
        db.session.rollback()
        checks["database"] = "down"
    try:
        redis_connection().ping()
    except Exception as error:
        current_app.logger.warning("health check: redis down: %s", error)
        checks["redis"] = "down"
    healthy = all(state == "up" for state in checks.values())
    return jsonify(status="ok" if healthy else "degraded", **checks), 200 if healthy else 503


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico at the site's root whatever a page links (pages link the SVG too)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400)

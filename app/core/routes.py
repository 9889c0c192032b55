from flask import current_app, jsonify
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

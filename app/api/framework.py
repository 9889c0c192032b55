"""The frame every API endpoint lives in: ``api_blueprint`` makes a flask-smorest blueprint
under ``/api/v1`` whose requests are authenticated by bearer key (``Authorization: Bearer``),
checked against the key's scope, rate limited per key, made idempotent (``Idempotency-Key`` on
POST), logged, and answered with problem documents on any error.

Adding a resource: a module with ``bp = api_blueprint("things", "/things", "What they are")``,
views decorated with ``@bp.arguments`` / ``@bp.response`` (schemas next to them), and its
blueprint added to ``RESOURCES`` in ``app.api``. Every lookup goes through
``acting_scope()``: the key's organisation, with the panels' tenant rules.
"""
from __future__ import annotations

import json
import logging
import time

from flask import current_app, g, request
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from app.accounts.access import READ_METHODS
from app.api import idempotency
from app.api.errors import ProblemSchema, http_error_response, http_problem, problem_response, refusal_response
from app.api.keys import authenticate
from app.core.clock import current_now
from app.core.errors import PROBLEM_CONTENT_TYPE, Refusal

PREFIX = "/api/v1"
IDEMPOTENCY_PARAMETER = {
    "in": "header", "name": idempotency.HEADER, "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
    "description": "Makes a retried POST safe: the first answer is stored for 24 hours and replayed for the same "
                   "key and body; another body with the same key answers 422.",
}
request_log = logging.getLogger("app.api.requests")


class PartnerApi(Api):
    """flask-smorest's ``Api`` whose error responses are problem documents."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        import http

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem document (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_error_handlers(self):
        """None app-wide: the pages keep their HTML error pages; API blueprints have their own."""


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate_request():
    """Before every API request: the bearer key (never a session cookie) acts as its
    organisation; a read key may only read."""
    g.api_started = time.perf_counter()
    token = _bearer_token()
    key = authenticate(token, current_now()) if token else None
    if key is None:
        detail = ("Send an API key as 'Authorization: Bearer <key>'." if token is None
                  else "This API key is not valid: it is unknown or was revoked.")
        return problem_response(http_problem(401, detail, "unauthorized"), {"WWW-Authenticate": 'Bearer realm="api"'})
    g.api_key, g.api_organisation = key, key.organisation
    if request.method not in READ_METHODS and not key.can_write:
        return problem_response(http_problem(403, "This API key may only read: use a key with write access.", "forbidden"))
    return idempotency.begin()


def finish_request(response):
    """After every API request: the idempotent answer is stored, the request logged."""
    response = idempotency.finish(response)
    key = g.get("api_key")
    started = g.get("api_started")
    request_log.info(json.dumps({
        "event": "api_request", "key_id": key.id if key is not None else None,
        "organisation_id": key.organisation_id if key is not None else None, "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
    }))
    return response


def api_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """A resource's blueprint at ``/api/v1<url_prefix>``, with the API's auth, idempotency,
    logging and problem documents."""
    bp = Blueprint(f"api_{name}", __name__, url_prefix=PREFIX + url_prefix, description=description)
    bp.before_request(authenticate_request)
    bp.after_request(finish_request)
    bp.register_error_handler(Refusal, refusal_response)
    bp.register_error_handler(HTTPException, http_error_response)
    bp.register_error_handler(Exception, _unexpected)
    return bp


def _unexpected(error: Exception):
    from sqlalchemy.exc import DBAPIError

    from app.extensions import db

    if isinstance(error, HTTPException):
        return http_error_response(error)
    if isinstance(error, DBAPIError):
        current_app.logger.error("database error on %s: %s", request.path, error)
        db.session.rollback()
        return problem_response(http_problem(503))
    if current_app.config.get("PROPAGATE_EXCEPTIONS") or current_app.testing:
        raise error
    current_app.logger.exception("API request failed: %s %s", request.method, request.path)
    db.session.rollback()
    return problem_response(http_problem(500))


def acting_user():
    """Who places orders and changes for the key: the administrator who created it (the
    checkout's gates refuse when that user no longer administers the organisation)."""
    return g.api_key.created_by

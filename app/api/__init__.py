"""The partner API, ``/api/v1``: JSON for PSA and billing integrations, described by an OpenAPI
document generated from the code (flask-smorest: marshmallow schemas next to each resource's
blueprint) at ``/api/v1/openapi.json`` and read at ``/api/v1/docs`` (ReDoc, vendored).

Each resource is a module with one blueprint made by ``framework.api_blueprint``; ``RESOURCES``
lists them. ``init_app`` binds one ``PartnerApi`` per app, registers the resources (CSRF-exempt:
bearer keys, never cookies) and the rate limits.
"""
from __future__ import annotations

import click
from flask import Blueprint, Flask, current_app, jsonify, render_template, request

from app.api.framework import PREFIX, PartnerApi

docs_bp = Blueprint("api_docs", __name__, url_prefix=PREFIX)
# The reference page runs ReDoc: its styles are injected at run time and it renders in a worker.
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "worker-src 'self' blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
            "base-uri 'self'; object-src 'none'; form-action 'self'")


def resources() -> list:
    from app.api import catalog, customers, events, fulfillment, invoices, orders, reconciliation, subscriptions

    return [catalog.bp, customers.bp, orders.bp, subscriptions.bp, invoices.bp, fulfillment.bp, events.bp,
            reconciliation.bp]


def openapi_document() -> dict:
    """The OpenAPI document of the app's API, generated from the registered views."""
    return current_app.extensions["partner_api"].spec.to_dict()


@docs_bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())


@docs_bp.get("/docs")
def reference():
    response = current_app.make_response(render_template("api/reference.html"))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


SPEC_OPTIONS = {
    "info": {"description": "The partner API: the catalog at your prices, customers, orders, subscriptions and "
                            "invoices. Authenticate with `Authorization: Bearer <key>` (keys are made by an "
                            "administrator in the panel, under API keys). Lists are paginated with `limit`, "
                            "`starting_after` and `has_more`; errors are RFC 9457 problem documents; money is in "
                            "minor units with its currency; times are RFC 3339 in UTC; every POST takes an "
                            "`Idempotency-Key`."},
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
}


def init_app(app: Flask) -> None:
    from app.api import limits
    from app.extensions import csrf

    app.config.setdefault("API_TITLE", "Marketplace partner API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", None)  # the document and its page are served here, not by smorest
    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    api = PartnerApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                                   "description": "An API key: mk_<prefix>_<secret>"})
    app.extensions["partner_api"] = api
    limiter = limits.init_app(app)
    for blueprint in resources():
        csrf.exempt(blueprint)
        limits.limit_blueprint(limiter, blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_bp)
    _answer_unrouted_api_requests_with_problems(app)
    app.cli.add_command(purge_idempotency_command)


@click.command("api-purge-idempotency")
def purge_idempotency_command():
    """Delete the stored Idempotency-Key answers older than 24 hours (run it daily)."""
    from app.api.idempotency import purge_expired
    from app.core.clock import current_now

    click.echo(f"{purge_expired(current_now())} stored answers deleted.")


def _answer_unrouted_api_requests_with_problems(app: Flask) -> None:
    """A request under ``/api/v1/`` that matches no route (an unknown path, a path parameter the
    converters refuse, a method not allowed) reaches no API blueprint: it gets a problem
    document too. Every other path keeps the pages' error handler."""
    from werkzeug.exceptions import HTTPException

    from app.api.errors import http_error_response

    pages_handler = app.error_handler_spec[None][None][HTTPException]

    def http_error(error):
        if request.path.startswith(PREFIX + "/") and request.blueprint is None:
            return http_error_response(error)
        return pages_handler(error)

    app.register_error_handler(HTTPException, http_error)

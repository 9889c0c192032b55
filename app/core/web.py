"""Error pages, security headers and what every template may use."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from flask import Flask, abort, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from app.catalog.context import current_marketplace, current_viewer
from app.catalog.reference import all_marketplaces
from app.core.errors import Refusal
from app.core.text import end_sentence
from app.extensions import db
from app.money import Money

CSP_DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "style-src": ("'self'",),
    "script-src": ("'self'",),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
    "base-uri": ("'self'",),
    "object-src": ("'none'",),
}
CspSources = Mapping[str, Iterable[str]]


def build_content_security_policy(extra: CspSources | None = None) -> str:
    """The policy with ``extra`` sources added per directive (a directive not listed starts
    from ``default-src``)."""
    directives = {name: list(values) for name, values in CSP_DIRECTIVES.items()}
    for name, sources in (extra or {}).items():
        values = directives.setdefault(name, list(CSP_DIRECTIVES["default-src"]))
        values.extend(source for source in sources if source not in values)
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


CONTENT_SECURITY_POLICY = build_content_security_policy()


def register_csp_sources(app: Flask, provider: Callable[[Mapping], CspSources]) -> None:
    """Let an area add origins to the policy, computed from the app's config (e.g. Stripe.js)."""
    app.extensions.setdefault("csp_source_providers", []).append(provider)


def content_security_policy(app: Flask) -> str:
    """``CONTENT_SECURITY_POLICY`` from the config when set, else the built policy."""
    if app.config.get("CONTENT_SECURITY_POLICY"):
        return app.config["CONTENT_SECURITY_POLICY"]
    extra: dict[str, list[str]] = {}
    for provider in app.extensions.get("csp_source_providers", []):
        for directive, sources in provider(app.config).items():
            extra.setdefault(directive, []).extend(sources)
    return _built_policy(tuple((directive, tuple(sources)) for directive, sources in extra.items()))


@lru_cache(maxsize=64)
def _built_policy(extra: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """Built once per set of extra sources: every response carries the policy."""
    return build_content_security_policy(dict(extra))

ERROR_TITLES = {
    400: "That request could not be understood",
    401: "Please sign in",
    402: "Payment is needed first",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "That cannot be done right now",
    422: "That cannot be done as asked",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "The service is briefly unavailable",
}


def render_error(status: int, message: str | None = None):
    title = ERROR_TITLES.get(status, "Error")
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        message = error.description if error.code in (400, 405, 429) else None
        return render_error(error.code or 500, message)

    @app.errorhandler(Refusal)
    def refused(refusal: Refusal):
        # One rule for every refusal a view lets through: the error page with the refusal's
        # message and its kind's status (``app.core.errors``). Views that re-render a form
        # with the message catch their refusals themselves.
        db.session.rollback()
        return render_error(refusal.status, refusal.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "The form had expired or was not sent from this site. Please try again.")

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        app.logger.error("database error on %s: %s", request.path, error)
        db.session.rollback()
        message = "We could not reach our database. Nothing was changed; please try again shortly."
        page = render_template("errors/unavailable.html", status=503, title=ERROR_TITLES[503], message=message)
        return page, 503

    @app.errorhandler(500)
    def server_error(error):
        return render_error(500, "The error was logged. Nothing was changed; please try again.")

    @app.before_request
    def refuse_nul_characters():
        # No text column can hold NUL (PostgreSQL refuses it outright). In a query string it is
        # dropped, like any other bad parameter; in a path or a submitted form it is refused.
        if any("\x00" in value for value in request.args.values()):
            request.args = ImmutableMultiDict(
                (key, value.replace("\x00", "")) for key, value in request.args.items(multi=True)
            )
        sources = [(request.view_args or {}).values()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.form.values())
        if any("\x00" in str(value) for source in sources for value in source):
            abort(400, "The request contained a character that is not allowed.")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", content_security_policy(app))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    @app.context_processor
    def layout_context():
        return {
            "current_marketplace": current_marketplace,
            "current_viewer": current_viewer,
            "all_marketplaces": lambda: all_marketplaces().all,
        }

    static_urls: dict[tuple[str, str], str] = {}

    @app.template_global()
    def static_url(filename: str) -> str:
        """``url_for("static", filename=...)``, built once per file: the layout asks on every page."""
        key = (request.script_root, filename)
        if key not in static_urls:
            static_urls[key] = url_for("static", filename=filename)
        return static_urls[key]

    @app.template_filter("money")
    def money_filter(value: Money | None, locale: str | None = None) -> str:
        if value is None:
            return "—"
        if locale is None:
            marketplace = current_marketplace()
            locale = marketplace.locale if marketplace else "en_US"
        return value.format(locale)

    app.add_template_filter(end_sentence, "end_sentence")

    @app.template_filter("billing_period")
    def billing_period(months: int) -> str:
        return {1: "per month", 12: "per year"}.get(months, f"per {months} months")

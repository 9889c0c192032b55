"""Security checks that enumerate an app's URL map. Each takes an app (and the ``world`` of
users and objects it is tested against) and returns a list of violations, one readable line each:
the suite asserts the list is empty for the real app, and the tests of the tests assert that a
deliberately unprotected dummy route shows up in it.

Requests are made with the app's test client; users are signed in by writing Flask-Login's
session keys, so no check depends on the sign-in form (which has its own tests).
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit

from flask import Flask
from werkzeug.routing.converters import NumberConverter

from app.extensions import db
from tests.security import registry
from tests.security.registry import TenantCase

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_REFUSAL_TEXT = b"The form had expired or was not sent from this site"
EVIL_NEXT = ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "\\\\evil.example/x"]
# What an unescaped payload seeded by ``seed_html_payloads`` looks like in a page.
HTML_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>']
RAW_MARKERS = [b"<script>alert(1)", b"<img src=x onerror"]
ESCAPED_MARKER = b"&lt;script&gt;alert(1)"


def methods_of(rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def sign_in(client, user) -> None:
    """Signs ``user`` in on ``client`` (or leaves it anonymous for ``None``)."""
    if user is None:
        return
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def client_for(app: Flask, user=None):
    client = app.test_client()
    sign_in(client, user)
    return client


def everyone(world) -> list:
    """Anonymous, then every user of the world: each role of each tier."""
    return [None, *vars(world.users).values()]


class RouteBook:
    """The app's rules with URLs that reach real objects: public values, tenant cases (built once
    per book and committed), else placeholders by converter type."""

    def __init__(self, app: Flask, world, cases=None, public_values=None) -> None:
        self.app = app
        self.world = world
        self.cases = registry.TENANT_CASES if cases is None else cases
        self.public_values = registry.PUBLIC_VALUES if public_values is None else public_values
        self._built: dict[str, TenantCase] = {}
        self.rules = sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))

    def case(self, rule) -> TenantCase | None:
        builder = registry.lookup(self.cases, rule)
        if builder is None:
            return None
        key = rule.endpoint + " " + rule.rule
        if key not in self._built:
            self._built[key] = builder(self.world)
            db.session.commit()
        return self._built[key]

    def values(self, rule) -> dict:
        public = registry.lookup(self.public_values, rule)
        if public is not None:
            return public(self.world)
        case = self.case(rule)
        if case is not None:
            return case.values
        return {name: 1 if isinstance(converter, NumberConverter) else "x"
                for name, converter in rule._converters.items()}

    def url(self, rule, query: dict | None = None) -> str:
        values = {k: v for k, v in self.values(rule).items() if k in rule.arguments}
        _, path = rule.build(values, append_unknown=False)
        return path + ("?" + urlencode(query) if query else "")

    def owner(self, rule, default=None):
        case = self.case(rule)
        return case.owner if case is not None else default


def _describe(rule, method: str) -> str:
    return f"{method} {rule.rule} ({rule.endpoint})"


def csrf_violations(app: Flask, world, *, exempt=None, cases=None, public_values=None) -> list[str]:
    """Every POST/PUT/PATCH/DELETE route, requested by a signed-in user without a CSRF token, must
    be refused with the CSRF error (400) before its view runs. ``app`` must have CSRF on."""
    assert app.config.get("WTF_CSRF_ENABLED", True), "build this app with make_app(csrf=True)"
    exempt = registry.CSRF_EXEMPT if exempt is None else exempt
    book = RouteBook(app, world, cases, public_values)
    violations = []
    for rule in book.rules:
        for method in STATE_CHANGING.intersection(rule.methods or ()):
            if registry.is_listed(exempt, rule):
                continue
            client = client_for(app, book.owner(rule, world.users.reseller))
            response = client.open(book.url(rule), method=method, data={"next": "/"})
            if response.status_code != 400 or CSRF_REFUSAL_TEXT not in response.data:
                violations.append(f"{_describe(rule, method)} accepted a request without a CSRF token "
                                  f"(answered {response.status_code}); protect it, or list it in CSRF_EXEMPT with the reason")
    return violations


def _is_sign_in_redirect(app: Flask, response) -> bool:
    if not 300 <= response.status_code < 400:
        return False
    login_path = app.url_map.bind("localhost").build(app.login_manager.login_view)
    return urlsplit(response.headers.get("Location", "")).path == login_path


def session_violations(app: Flask, world, *, public=None, cases=None, public_values=None) -> list[str]:
    """Every route not listed as public, requested without a session, must redirect to sign-in
    or answer 401/404. ``app`` must have CSRF off, so that POSTs reach the access check."""
    assert not app.config.get("WTF_CSRF_ENABLED", True), "build this app with CSRF off"
    public = registry.PUBLIC_ENDPOINTS if public is None else public
    book = RouteBook(app, world, cases, public_values)
    violations = []
    for rule in book.rules:
        if registry.is_listed(public, rule):
            continue
        for method in methods_of(rule):
            response = app.test_client().open(book.url(rule), method=method)
            if response.status_code in (401, 404) or _is_sign_in_redirect(app, response):
                continue
            violations.append(f"{_describe(rule, method)} answered {response.status_code} without a session; "
                              "guard it (login_required or a role decorator), or list it in PUBLIC_ENDPOINTS")
    return violations


def tenant_violations(app: Flask, world, *, cases=None, not_scoped=None, public_values=None) -> list[str]:
    """Every route with an argument is either listed as not tenant data or has a tenant case; for
    each case its owner finds the object and every intruder gets 404, whatever the method."""
    cases = registry.TENANT_CASES if cases is None else cases
    not_scoped = registry.NOT_TENANT_SCOPED if not_scoped is None else not_scoped
    book = RouteBook(app, world, cases, public_values)
    violations = []
    for rule in book.rules:
        if not rule.arguments or registry.is_listed(not_scoped, rule):
            continue
        case = book.case(rule)
        if case is None:
            violations.append(
                f"{rule.rule} ({rule.endpoint}) takes an id but is missing from TENANT_CASES in "
                "tests/security/registry.py: add a builder that creates an object of one tenant "
                "(or list the route in NOT_TENANT_SCOPED with the reason)")
            continue
        url = book.url(rule)
        if "GET" in rule.methods:
            found = client_for(app, case.owner).get(url).status_code
            if found == 404:
                violations.append(f"GET {url} ({rule.endpoint}): its owner gets 404, so the tenant case proves nothing")
        for method in methods_of(rule):
            for intruder in case.intruders:
                status = client_for(app, intruder).open(url, method=method).status_code
                if status != 404:
                    violations.append(f"{method} {url} ({rule.endpoint}) answered {status} to {intruder.email}, "
                                      "a user of another tenant; load the object through TenantScope")
    return violations


def role_violations(app: Flask, world, *, panels=None, cases=None, public_values=None) -> list[str]:
    """Every route under a panel's path (``registry.PANELS``), requested by each signed-in user
    of the world outside the panel's audience, answers 404 whatever the method; by a user who
    may read there but not write, 403 on every method but GET. The URLs reach real objects
    (tenant cases), so a guard left out shows even where the tenant scope would let the user in.
    ``app`` must have CSRF off, so that POSTs reach the guard."""
    assert not app.config.get("WTF_CSRF_ENABLED", True), "build this app with CSRF off"
    panels = registry.PANELS if panels is None else panels
    book = RouteBook(app, world, cases, public_values)
    violations = []
    for rule in book.rules:
        panel = next((panel for prefix, panel in panels.items() if rule.rule.startswith(prefix)), None)
        if panel is None:
            continue
        url = book.url(rule)
        for user in everyone(world)[1:]:
            for method in methods_of(rule):
                expected = 404 if not panel.reads(user) else 403 if method != "GET" and not panel.writes(user) else None
                if expected is None:
                    continue
                status = client_for(app, user).open(url, method=method).status_code
                if status != expected:
                    violations.append(f"{method} {url} ({rule.endpoint}) answered {status} to {user.email}, who is not "
                                      f"{'of' if expected == 404 else 'allowed to write in'} the {panel.name}: expected "
                                      f"{expected}; guard its blueprint with panel_guard in before_request")
    return violations


def crawl(app: Flask, world, *, cases=None, public_values=None):
    """(user, url, response) for every GET route, as anonymous and as every user of the world."""
    book = RouteBook(app, world, cases, public_values)
    for rule in book.rules:
        if "GET" not in rule.methods:
            continue
        url = book.url(rule)
        for user in everyone(world):
            yield user, url, client_for(app, user).get(url)


def _who(user) -> str:
    return user.email if user is not None else "anonymous"


def escaping_violations(app: Flask, world, **tables) -> tuple[list[str], int]:
    """Pages showing a seeded HTML payload unescaped, and how many pages showed it escaped (a
    check that finds no page showing the payload at all proves nothing)."""
    violations, escaped = [], 0
    for user, url, response in crawl(app, world, **tables):
        if response.mimetype != "text/html":
            continue
        body = response.get_data()
        escaped += ESCAPED_MARKER in body
        for marker in RAW_MARKERS:
            if marker in body:
                violations.append(f"GET {url} as {_who(user)} shows {marker.decode()!r} unescaped")
    return violations, escaped


def header_violations(app: Flask, world, **tables) -> list[str]:
    """Every page (and the 404 page) carries the security headers."""
    responses = [(user, url, response) for user, url, response in crawl(app, world, **tables)]
    responses.append((None, "/no-such-page", app.test_client().get("/no-such-page")))
    violations = []
    for user, url, response in responses:
        headers = response.headers
        problems = []
        if "frame-ancestors" not in headers.get("Content-Security-Policy", ""):
            problems.append("a Content-Security-Policy with frame-ancestors")
        if headers.get("X-Content-Type-Options") != "nosniff":
            problems.append("X-Content-Type-Options: nosniff")
        if not headers.get("Referrer-Policy"):
            problems.append("Referrer-Policy")
        if problems:
            violations.append(f"GET {url} as {_who(user)} lacks {', '.join(problems)}")
    return violations


def is_external(location: str) -> bool:
    """Whether a Location leaves this site (as a browser would read it)."""
    location = location.strip().replace("\\", "/")
    parts = urlsplit(location)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return True
    return location.startswith("//") or bool(parts.netloc and parts.netloc != "localhost")


def redirect_violations(app: Flask, world, *, credentials: tuple[str, str] | None = None, **tables) -> list[str]:
    """No route redirects to another site when given ``next=`` (query or form), as anonymous or
    signed in; with ``credentials``, nor does a successful sign-in."""
    book = RouteBook(app, world, **tables)
    attempts = []
    for rule in book.rules:
        for method in methods_of(rule):
            for user in (None, book.owner(rule, world.users.reseller)):
                for evil in EVIL_NEXT:
                    url = book.url(rule, {"next": evil})
                    data = {"next": evil} if method != "GET" else None
                    attempts.append((f"{method} {url} as {_who(user)}", client_for(app, user).open(url, method=method, data=data)))
    if credentials is not None:
        login_url = app.url_map.bind("localhost").build(app.login_manager.login_view)
        for evil in EVIL_NEXT:
            data = {"email": credentials[0], "password": credentials[1], "next": evil}
            attempts.append((f"sign-in with next={evil}", app.test_client().post(f"{login_url}?{urlencode({'next': evil})}", data=data)))
    return [f"{what} redirected to {response.headers['Location']!r}" for what, response in attempts
            if response.headers.get("Location") and is_external(response.headers["Location"])]


def seed_html_payloads() -> list[str]:
    """Prefixes an HTML payload to every free-text column of every row in the database (names,
    descriptions, addresses, ...): identifiers, codes and enumerations are left alone, as are
    columns too short to hold a payload. Returns the columns it touched, as "table.column"."""
    from sqlalchemy import String, func, literal, update

    touched = []
    for table in db.metadata.sorted_tables:
        for number, column in enumerate(c for c in table.columns if _is_free_text(c)):
            payload = HTML_PAYLOADS[number % len(HTML_PAYLOADS)] + " "
            new_value = literal(payload, String).concat(column)
            if column.type.length:
                new_value = func.substr(new_value, 1, column.type.length)
            db.session.execute(update(table).values({column.name: new_value}))
            touched.append(f"{table.name}.{column.name}")
    db.session.commit()
    return touched


# Columns holding identifiers, codes, enumerations or secrets rather than text people type.
NOT_FREE_TEXT = {
    "slug", "code", "email", "billing_email", "kind", "status", "role", "audience", "payment_model", "currency",
    "country", "locale", "connector", "number", "idempotency_key", "password_hash", "tax_region", "key",
    "terms_version", "quote_fingerprint", "client_address", "vendor_reference", "payment_method",
}


def _is_free_text(column) -> bool:
    from sqlalchemy import String

    if not isinstance(column.type, String) or column.name in NOT_FREE_TEXT or column.name.endswith("_id"):
        return False
    return column.type.length is None or column.type.length >= max(len(p) for p in HTML_PAYLOADS) + 1


# Path parameters nobody's link carries: out of every integer column's range (PostgreSQL's
# integer and bigint, SQLite's 64 bits), negative, not numbers, huge, unicode, control bytes.
TRICKY_PATH_VALUES = [
    "0", "-1", "2147483648", "9223372036854775808", "9" * 40, "1.5", "1e309", "NaN", "a" * 5000, "x.pdf",
    "ümlaut-日本", "\u202e", "\x00", "a\x00b", "\x7f", " ", "%", "..", "' OR 1=1 --", "<script>",
]
PATH_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")


def path_with(book: RouteBook, rule, name: str, raw: str) -> str:
    """The rule's path with ``name`` set to ``raw`` (percent-encoded as a browser would) and every
    other argument at a value that reaches a real object."""
    real = book.values(rule)

    def argument(match) -> str:
        argument_name = match.group(1)
        if argument_name == name:
            return quote(raw, safe="")
        return quote(str(rule._converters[argument_name].to_url(real[argument_name])), safe="/")

    return PATH_ARGUMENT.sub(argument, rule.rule)


def path_parameter_answer(app: Flask, user, url: str, method: str) -> int | str:
    """The status ``user`` gets; an exception the test app propagates is what a server answers 500 to."""
    try:
        return client_for(app, user).open(url, method=method).status_code
    except Exception as error:
        return f"500 ({type(error).__name__}: {str(error)[:80]})"


def is_refusal(status: int | str) -> bool:
    """A nonsense path parameter must be refused: 404 or 400 (a 3xx to a page saying the link is
    not valid, or a 405, will do), never a server error and never a page as if it were real."""
    return isinstance(status, int) and (300 <= status < 500)


def path_reachers(book: RouteBook, rule) -> list:
    """Who may reach the route: its tenant case's owner; else anonymous and each kind of user."""
    owner = book.owner(rule)
    users = book.world.users
    return [owner] if owner is not None else [None, users.staff, users.reseller, users.customer]


def path_parameter_violations(app: Flask, world, *, values=None, cases=None, public_values=None) -> list[str]:
    """Every path parameter of every route, given each tricky value in turn (the others reaching a
    real object) by users who may reach the route, with every method, is refused (``is_refusal``).
    ``app`` must have CSRF off, so that POSTs reach the view."""
    assert not app.config.get("WTF_CSRF_ENABLED", True), "build this app with CSRF off"
    values = TRICKY_PATH_VALUES if values is None else values
    book = RouteBook(app, world, cases, public_values)
    violations = []
    for rule in book.rules:
        for name in rule.arguments:
            for raw in values:
                url = path_with(book, rule, name, raw)
                for method in methods_of(rule):
                    for user in path_reachers(book, rule):
                        status = path_parameter_answer(app, user, url, method)
                        if not is_refusal(status):
                            violations.append(f"{method} {rule.rule} ({rule.endpoint}) with {name}={raw[:20]!r} as "
                                              f"{_who(user)} answered {status}; expected 404 (or 400)")
    return violations

"""Tests of the tests: each enumerating check, run on a fresh app with one deliberately
unprotected dummy route, reports that route. The checks are the same functions the suite runs on
the real app, so a route added without protection fails the suite in the same way."""
from flask import Blueprint, abort, redirect, render_template_string, request
from flask_login import current_user, login_required
from werkzeug.routing import IntegerConverter

from app.accounts.access import TenantScope
from app.control_panel.reseller import guard as reseller_guard
from app.extensions import csrf, db
from app.plans.models import Subscription
from tests import factories
from tests.security import checks, registry


def _reported(violations, needle: str) -> bool:
    return any(needle in line for line in violations)


def test_csrf_check_reports_a_post_route_exempted_from_csrf(csrf_app, world):
    @login_required
    def unprotected_post():
        return "changed"

    csrf_app.add_url_rule("/dummy/change", "dummy_change", csrf.exempt(unprotected_post), methods=["POST"])

    violations = checks.csrf_violations(csrf_app, world)

    assert violations == ["POST /dummy/change (dummy_change) accepted a request without a CSRF token (answered 200); "
                          "protect it, or list it in CSRF_EXEMPT with the reason"]


def test_session_check_reports_a_login_free_route_returning_data(plain_app, world):
    plain_app.add_url_rule("/dummy/customers", "dummy_customers", lambda: ", ".join(str(o.name) for o in [world.customer]))

    violations = checks.session_violations(plain_app, world)

    assert violations == ["GET /dummy/customers (dummy_customers) answered 200 without a session; "
                          "guard it (login_required or a role decorator), or list it in PUBLIC_ENDPOINTS"]


def _unscoped_subscription(subscription_id: int):
    return f"subscription {db.session.get(Subscription, subscription_id).id}"


@login_required
def _scoped_subscription(subscription_id: int):
    return f"subscription {TenantScope(current_user.organisation).get_or_404(Subscription, subscription_id).id}"


def _subscription_case(world):
    subscription = factories.make_subscription(world.customer, world.customer_plan)
    return registry.customer_owned(world, subscription_id=subscription.id)


def test_tenant_check_reports_an_id_route_missing_from_the_table(plain_app, world):
    plain_app.add_url_rule("/dummy/subscriptions/<int:subscription_id>", "dummy_subscription", _scoped_subscription)

    violations = checks.tenant_violations(plain_app, world)

    assert len(violations) == 1
    assert violations[0].startswith("/dummy/subscriptions/<int:subscription_id> (dummy_subscription) takes an id but "
                                    "is missing from TENANT_CASES in tests/security/registry.py")


def test_tenant_check_reports_an_id_route_without_scoping(plain_app, world):
    plain_app.add_url_rule("/dummy/subscriptions/<int:subscription_id>", "dummy_subscription",
                           login_required(_unscoped_subscription))
    cases = {**registry.TENANT_CASES, "dummy_subscription": _subscription_case}

    violations = checks.tenant_violations(plain_app, world, cases=cases)

    intruders = ["admin@customer-b.test", "admin@customer-z.test", "admin@other.test"]
    assert [line.split(" to ")[1].split(",")[0] for line in violations] == intruders


def test_tenant_check_accepts_an_id_route_scoped_by_the_tenant_scope(plain_app, world):
    plain_app.add_url_rule("/dummy/subscriptions/<int:subscription_id>", "dummy_subscription", _scoped_subscription)
    cases = {**registry.TENANT_CASES, "dummy_subscription": _subscription_case}

    assert checks.tenant_violations(plain_app, world, cases=cases) == []


def _reseller_panel_blueprint(*, guarded: bool) -> Blueprint:
    """A new blueprint under the reseller panel's path, as a later issue would add one; with
    ``guarded``, it checks the reseller panel's role like the panel's own blueprint."""
    blueprint = Blueprint("dummy_panel", __name__, url_prefix="/reseller/dummy")
    if guarded:
        blueprint.before_request(reseller_guard)
    return blueprint


def _reseller_case(world):
    """A subscription of world.customer, seen from the reseller panel by its reseller."""
    subscription = factories.make_subscription(world.customer, world.customer_plan)
    return registry.reseller_owned(world, subscription_id=subscription.id)


def test_tenant_check_reports_a_panel_route_that_forgets_the_scope(plain_app, world):
    # Given a reseller panel route with the panel's role guard that loads a subscription by id alone
    panel = _reseller_panel_blueprint(guarded=True)
    panel.add_url_rule("/<int:subscription_id>", "subscription", _unscoped_subscription)
    plain_app.register_blueprint(panel)
    cases = {**registry.TENANT_CASES, "dummy_panel.subscription": _reseller_case}

    violations = checks.tenant_violations(plain_app, world, cases=cases)

    # Then the other reseller, who passes the role guard, is reported reading it (its customer is
    # stopped by the guard)
    assert len(violations) == 1
    assert violations[0].startswith("GET /reseller/dummy/")
    assert violations[0].endswith("(dummy_panel.subscription) answered 200 to admin@other.test, a user of another tenant; "
                                  "load the object through TenantScope")


def test_role_check_reports_a_panel_route_that_forgets_the_role_guard(plain_app, world):
    # Given a reseller panel route scoped to the viewer's tenant but with no role guard
    panel = _reseller_panel_blueprint(guarded=False)
    panel.add_url_rule("/<int:subscription_id>", "subscription", _scoped_subscription)
    plain_app.register_blueprint(panel)
    cases = {**registry.TENANT_CASES, "dummy_panel.subscription": _reseller_case}

    violations = checks.role_violations(plain_app, world, cases=cases)

    # Then the users outside the reseller panel whom the scope lets in are reported: staff (who
    # see every tenant) and the customer who owns the subscription
    assert [line.split(" to ")[1].split(",")[0] for line in violations] == ["staff@dist.test", "admin@customer-a.test"]
    assert all(line.startswith("GET /reseller/dummy/") and "(dummy_panel.subscription) answered 200" in line
               and "expected 404; guard its blueprint with panel_guard in before_request" in line for line in violations)


def test_role_check_reports_a_panel_write_open_to_members(plain_app, world):
    # Given a reseller panel action that checks the audience but lets members act
    panel = _reseller_panel_blueprint(guarded=False)
    panel.before_request(lambda: None if current_user.is_authenticated and current_user.organisation.acts_as_reseller else "no")
    panel.add_url_rule("/<int:subscription_id>/cancel", "cancel", _scoped_subscription, methods=["POST"])
    plain_app.register_blueprint(panel)
    cases = {**registry.TENANT_CASES, "dummy_panel.cancel": _reseller_case}

    violations = checks.role_violations(plain_app, world, cases=cases)

    assert len(violations) == 5  # four users outside the panel get the refusal's 200, and the member acts
    assert any(line.endswith("answered 200 to member@reseller.test, who is not allowed to write in the reseller panel: "
                             "expected 403; guard its blueprint with panel_guard in before_request") for line in violations)


def test_role_check_accepts_a_panel_route_behind_the_panel_guard(plain_app, world):
    panel = _reseller_panel_blueprint(guarded=True)
    panel.add_url_rule("/<int:subscription_id>", "subscription", _scoped_subscription)
    panel.add_url_rule("/<int:subscription_id>/cancel", "cancel", _scoped_subscription, methods=["POST"])
    plain_app.register_blueprint(panel)
    cases = {**registry.TENANT_CASES, "dummy_panel.subscription": _reseller_case, "dummy_panel.cancel": _reseller_case}

    assert checks.role_violations(plain_app, world, cases=cases) == []


def test_escaping_check_reports_a_page_marking_a_name_safe(plain_app, world):
    plain_app.add_url_rule("/dummy/greeting", "dummy_greeting",
                           lambda: render_template_string("<p>Hello {{ name | safe }}</p>", name=world.customer.name))
    checks.seed_html_payloads()

    violations, _ = checks.escaping_violations(plain_app, world)

    assert len(violations) == len(checks.everyone(world))
    assert violations[0] == "GET /dummy/greeting as anonymous shows '<script>alert(1)' unescaped"


def test_header_check_reports_a_page_that_weakens_the_policy(plain_app, world):
    plain_app.add_url_rule("/dummy/embeddable", "dummy_embeddable",
                           lambda: ("framed", 200, {"Content-Security-Policy": "default-src 'self'"}))

    violations = checks.header_violations(plain_app, world)

    assert violations[0] == "GET /dummy/embeddable as anonymous lacks a Content-Security-Policy with frame-ancestors"
    assert len(violations) == len(checks.everyone(world))


def test_redirect_check_reports_a_route_following_next_blindly(plain_app, world):
    plain_app.add_url_rule("/dummy/continue", "dummy_continue", lambda: redirect(request.args.get("next") or "/"))

    violations = checks.redirect_violations(plain_app, world)

    assert _reported(violations, "GET /dummy/continue?next=%2F%2Fevil.example as anonymous redirected to '//evil.example'")
    assert _reported(violations, "redirected to 'https://evil.example'")
    # ("/\\evil.example" is not reported: werkzeug's redirect() sends it as "/%5Cevil.example", a path.)
    assert _reported(violations, "redirected to 'javascript:alert(1)'")


def _path_violations_of(violations, endpoint: str) -> list[str]:
    return [line for line in violations if f"({endpoint})" in line]


def test_path_parameter_check_reports_a_route_that_trusts_its_parameter(plain_app, world):
    # Given a route that reads a number out of a plain text parameter
    plain_app.add_url_rule("/dummy/things/<thing>", "dummy_thing", lambda thing: f"thing {int(thing) + 1}")

    violations = _path_violations_of(checks.path_parameter_violations(plain_app, world), "dummy_thing")

    # Then words answer a server error and numbers a page: both are reported, for every user
    assert "GET /dummy/things/<thing> (dummy_thing) with thing='NaN' as anonymous answered 500 (ValueError: " \
           "invalid literal for int() with base 10: 'NaN'); expected 404 (or 400)" in violations
    assert any(line.startswith("GET /dummy/things/<thing> (dummy_thing) with thing='-1' as admin@customer-a.test "
                               "answered 200") for line in violations)


def test_path_parameter_check_reports_an_id_beyond_the_database_integer(plain_app, world):
    # Given a tenant-scoped route whose id converter lets any size of number through (werkzeug's own)
    plain_app.url_map.converters["anyint"] = IntegerConverter
    plain_app.add_url_rule("/dummy/subscriptions/<anyint:subscription_id>", "dummy_subscription", _scoped_subscription)
    cases = {**registry.TENANT_CASES, "dummy_subscription": _subscription_case}

    violations = _path_violations_of(checks.path_parameter_violations(plain_app, world, cases=cases), "dummy_subscription")

    # Then a number no id column holds reaches the database driver, which fails (SQLite's driver
    # raises; PostgreSQL answers "integer out of range", which the app reports as unavailable)
    assert any("with subscription_id='9223372036854775808' as admin@customer-a.test answered 50" in line
               for line in violations), violations


def test_path_parameter_check_accepts_the_apps_converters(plain_app, world):
    plain_app.add_url_rule("/dummy/subscriptions/<int:subscription_id>", "dummy_subscription", _scoped_subscription)
    plain_app.add_url_rule("/dummy/named/<name>", "dummy_named", login_required(lambda name: abort(404)))
    cases = {**registry.TENANT_CASES, "dummy_subscription": _subscription_case}

    violations = checks.path_parameter_violations(plain_app, world, cases=cases)

    assert _path_violations_of(violations, "dummy_subscription") == []
    assert _path_violations_of(violations, "dummy_named") == []

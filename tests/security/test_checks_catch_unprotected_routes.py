"""Tests of the tests: each enumerating check, run on a fresh app with one deliberately
unprotected dummy route, reports that route. The checks are the same functions the suite runs on
the real app, so a route added without protection fails the suite in the same way."""
from flask import redirect, render_template_string, request
from flask_login import current_user, login_required

from app.accounts.access import get_for_organisation
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
    return f"subscription {get_for_organisation(Subscription, subscription_id, current_user.organisation).id}"


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


def test_tenant_check_accepts_an_id_route_scoped_by_get_for_organisation(plain_app, world):
    plain_app.add_url_rule("/dummy/subscriptions/<int:subscription_id>", "dummy_subscription", _scoped_subscription)
    cases = {**registry.TENANT_CASES, "dummy_subscription": _subscription_case}

    assert checks.tenant_violations(plain_app, world, cases=cases) == []


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

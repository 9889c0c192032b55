"""Property-based requests to every route of the URL map, signed in as each kind of user, with
CSRF off: posts to every state-changing route, query strings on every page, and path parameters
of every route. Whatever the input, the answer is never a server error (5xx); a tricky path
parameter is refused (404 or 400). Bounded to a few examples per route so that it
stays fast; field names come from the route's own page."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.security.checks import (STATE_CHANGING, RouteBook, client_for, methods_of, path_parameter_answer,
                                   path_parameter_violations, path_reachers, path_with)

EXAMPLES_PER_ROUTE = 12
FIELD_NAME = re.compile(rb'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
COMMON_NAMES = {"next", "id", "quantity", "q", "page", "term", "audience"}
TRICKY_VALUES = ["", "0", "-1", "1e309", "NaN", "99999999999999999999", "<script>alert(1)</script>", "../../etc/passwd",
                 "' OR 1=1 --", "\x00", "a\x00b", "\u202e", "a" * 5000, "US", "https://evil.example", "//evil.example"]
values = st.one_of(st.sampled_from(TRICKY_VALUES), st.text(max_size=80), st.integers().map(str))
FUZZ_SETTINGS = settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


FORM = re.compile(rb'<form\b([^>]*)>(.*?)</form>', re.DOTALL)
ACTION = re.compile(rb'\baction="([^"]*)"')


def _forms_by_action(app, book, user) -> dict[str, set[str]]:
    """Field names of every form on every GET page, by the path the form posts to."""
    fields: dict[str, set[str]] = {}
    for rule in book.rules:
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        page_url = book.url(rule)
        for attributes, body in FORM.findall(client_for(app, user).get(page_url).data):
            action = ACTION.search(attributes)
            target = action.group(1).decode().split("?")[0] if action and action.group(1) else page_url
            fields.setdefault(target, set()).update(name.decode() for name in FIELD_NAME.findall(body))
    return fields


def _field_names(forms: dict[str, set[str]], url: str) -> list[str]:
    """Names of the fields of the forms posting to ``url``, plus a few everybody guesses."""
    return sorted((COMMON_NAMES | forms.get(url, set())) - {"csrf_token"})


def _users(world) -> list:
    return [None, world.users.staff, world.users.reseller, world.users.reseller_member, world.users.customer]


def _fuzz(app, world, url: str, method: str, names: list[str]) -> None:
    as_query = method == "GET"

    @FUZZ_SETTINGS
    @given(user=st.sampled_from(_users(world)), form=st.dictionaries(st.sampled_from(names), values, max_size=len(names)))
    @example(user=world.users.reseller, form={name: "\x00" for name in names})
    @example(user=world.users.customer, form={name: "9" * 3000 for name in names})
    def request_anything(user, form):
        options = {"query_string": form} if as_query else {"data": form}
        response = client_for(app, user).open(url, method=method, **options)
        assert response.status_code < 500, f"{method} {url} as {user} with {form!r}: {response.status_code}"

    request_anything()


def test_posts_to_every_form_never_produce_a_server_error(app, world, localstripe):
    book = RouteBook(app, world)
    targets = [(rule, method) for rule in book.rules for method in sorted(STATE_CHANGING & rule.methods)]
    assert targets, "no state-changing route found"
    forms = _forms_by_action(app, book, world.users.reseller)
    for rule, method in targets:
        url = book.url(rule)
        _fuzz(app, world, url, method, _field_names(forms, url))


def test_query_strings_on_every_page_never_produce_a_server_error(app, world, localstripe):
    book = RouteBook(app, world)
    for rule in book.rules:
        if "GET" in rule.methods and rule.endpoint != "static":
            _fuzz(app, world, book.url(rule), "GET", sorted(COMMON_NAMES))


def test_tricky_path_parameters_of_every_route_are_refused(app, world, localstripe):
    # Given every route of the URL map taking a path parameter, and users who may reach it
    # When each parameter in turn is out of range, negative, huge, unicode or holds a NUL byte
    violations = path_parameter_violations(app, world)
    # Then every answer is 404 (or 400), never a server error
    assert violations == []


path_values = st.one_of(st.text(max_size=60), st.integers().map(str), st.binary(max_size=20).map(lambda b: b.decode("latin-1")))


def test_random_path_parameters_of_every_route_never_produce_a_server_error(app, world, localstripe):
    book = RouteBook(app, world)
    rules = [rule for rule in book.rules if rule.arguments]
    assert rules, "no route takes a path parameter"
    for rule in rules:

        @FUZZ_SETTINGS
        @given(name=st.sampled_from(sorted(rule.arguments)), raw=path_values.filter(bool),
               method=st.sampled_from(methods_of(rule)), user=st.sampled_from(path_reachers(book, rule)))
        def request_anything(name, raw, method, user):
            status = path_parameter_answer(app, user, path_with(book, rule, name, raw), method)
            assert isinstance(status, int) and status < 500, f"{method} {rule.rule} with {name}={raw!r}: {status}"

        request_anything()

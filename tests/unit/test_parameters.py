"""Ordering parameters checked by type."""
from types import SimpleNamespace

import pytest

from app.catalog.parameters import ParameterInvalid, clean_value, clean_values, is_domain_name


def parameter(kind="text", key="p", label="Field", required=True, default="", choices=(), max_length=200):
    return SimpleNamespace(kind=kind, key=key, label=label, required=required, default=default,
                           choices=list(choices), max_length=max_length)


@pytest.mark.parametrize("value", ["example.com", "mail.example.co.uk", "a-b.io", "xn--bcher-kva.example", "EXAMPLE.COM."])
def test_valid_domains_are_accepted_lower_cased(value):
    assert clean_value(parameter("domain", label="Domain"), value) == value.lower().rstrip(".")


@pytest.mark.parametrize("value", ["localhost", "-bad.com", "bad-.com", "exa mple.com", "example.c", "a..b.com",
                                   "example.123", "x" * 64 + ".com", "ex_ample.com", "http://example.com"])
def test_invalid_domains_are_refused_with_a_message(value):
    with pytest.raises(ParameterInvalid, match="is not a valid domain name"):
        clean_value(parameter("domain", label="Domain"), value)


def test_domain_length_limit():
    assert not is_domain_name(("a" * 63 + ".") * 4 + "com")


def test_email_is_checked_and_normalised():
    assert clean_value(parameter("email", label="Send to"), " Admin@Example.COM ") == "Admin@example.com"
    with pytest.raises(ParameterInvalid, match="not a valid e-mail address"):
        clean_value(parameter("email", label="Send to"), "admin@")


def test_choice_must_be_one_of_the_choices():
    location = parameter("choice", label="Data location", choices=[["eu", "Europe"], ["us", "US"]])
    assert clean_value(location, "eu") == "eu"
    with pytest.raises(ParameterInvalid, match="choose one of the listed options"):
        clean_value(location, "mars")


def test_text_respects_its_maximum_length():
    with pytest.raises(ParameterInvalid, match="at most 5 characters"):
        clean_value(parameter(max_length=5, label="Name"), "abcdef")


def test_required_takes_its_default_when_left_empty():
    assert clean_value(parameter(default="Admin"), "  ") == "Admin"
    with pytest.raises(ParameterInvalid, match="Field is required"):
        clean_value(parameter(), "")
    assert clean_value(parameter(required=False), "") == ""


def test_non_text_values_are_refused():
    with pytest.raises(ParameterInvalid):
        clean_value(parameter(), ["a list"])


def test_clean_values_reports_each_parameter_by_key_and_ignores_unknown_keys():
    params = [parameter("domain", key="domain", label="Domain"), parameter(key="admin", default="Admin")]
    values, errors = clean_values(params, {"domain": "nope", "admin": "", "extra": "x"})
    assert values == {"admin": "Admin"}
    assert list(errors) == ["domain"]

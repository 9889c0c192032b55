"""The pure rules of customer accounts and invitations: domain names as kept, and the addresses
of a "one or several e-mail addresses" field."""
from __future__ import annotations

import pytest

from app.accounts.customers import CustomerRefused, normalise_domain
from app.control_panel.team import split_addresses


@pytest.mark.parametrize("given, kept", [
    ("Example.COM", "example.com"),
    ("  sub.example.co.uk. ", "sub.example.co.uk"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("a-b.example", "a-b.example"),
    ("", ""),
    ("   ", ""),
])
def test_domains_are_kept_lower_case_ascii_without_the_trailing_dot(given, kept):
    assert normalise_domain(given) == kept


@pytest.mark.parametrize("given", [
    "example", "http://example.com", "example.com/path", "example.com:8080", "exa mple.com", "-example.com",
    "example-.com", "ex_ample.com", "10.0.0.1", "a..example", "name@example.com", "a" * 64 + ".example",
    ".".join(["abcdefghi"] * 26) + ".com",
])
def test_anything_but_a_domain_name_is_refused_on_the_domain_field(given):
    with pytest.raises(CustomerRefused) as refused:
        normalise_domain(given)
    assert refused.value.field == "domain" and refused.value.status == 422


def test_addresses_are_split_on_commas_semicolons_spaces_and_lines_each_kept_once_in_order():
    assert split_addresses("B@x.test, a@x.test;\n b@X.test\tc@x.test,,") == ["b@x.test", "a@x.test", "c@x.test"]
    assert split_addresses("") == [] and split_addresses(None) == []

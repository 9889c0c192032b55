import pytest

from app.orders.models import OrderStatus
from app.provisioning.inquiries import AnswerRejected, clean_answer
from app.provisioning.outcomes import order_status_for, retry_delay
from app.provisioning.signing import SignatureError, sign, signature_header, verify

BODY = b'{"status":"done"}'


def test_retry_delay_doubles_from_the_base_and_stops_at_the_cap():
    assert [retry_delay(attempt, 5, 600) for attempt in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(20, 5, 600) == 600


@pytest.mark.parametrize("states, expected", [
    (["pending", "completed"], OrderStatus.PROVISIONING),
    (["inquiring"], OrderStatus.PROVISIONING),
    (["completed", "completed"], OrderStatus.COMPLETED),
    (["failed", "failed"], OrderStatus.FAILED),
    (["completed", "failed"], OrderStatus.PARTIALLY_FAILED),
])
def test_order_status_follows_its_lines(states, expected):
    assert order_status_for(states) == expected


def test_a_signature_made_with_the_secret_verifies():
    verify("s3cret", signature_header("s3cret", BODY, 1_000_000), BODY, now=1_000_100)


def test_a_tampered_body_is_refused():
    header = signature_header("s3cret", BODY, 1_000_000)
    with pytest.raises(SignatureError, match="does not match"):
        verify("s3cret", header, b'{"status":"failed"}', now=1_000_000)


def test_a_signature_older_than_300_seconds_is_refused():
    header = signature_header("s3cret", BODY, 1_000_000)
    with pytest.raises(SignatureError, match="tolerance"):
        verify("s3cret", header, BODY, now=1_000_301)


@pytest.mark.parametrize("header", [None, "", "v1=abc", f"t=1000000,v1={sign('other', 1_000_000, BODY)}", "t=x,v1=y"])
def test_missing_malformed_or_foreign_signatures_are_refused(header):
    with pytest.raises(SignatureError):
        verify("s3cret", header, BODY, now=1_000_000)


def test_the_signed_text_is_timestamp_dot_body():
    import hashlib
    import hmac

    assert sign("k", 42, b"{}") == hmac.new(b"k", b"42.{}", hashlib.sha256).hexdigest()


@pytest.mark.parametrize("kind, raw, expected", [
    ("domain", " Example.COM. ", "example.com"),
    ("email", "Admin@Example.com", "Admin@example.com"),
    ("text", "  Admin ", "Admin"),
])
def test_answers_are_normalised_by_kind(kind, raw, expected):
    assert clean_answer({"kind": kind}, None, raw) == expected


@pytest.mark.parametrize("kind, raw, message", [
    ("domain", "not a domain", "domain name"),
    ("email", "nobody", "e-mail"),
    ("text", "   ", "Enter a value"),
    ("text", "x" * 201, "at most 200"),
])
def test_bad_answers_are_refused_with_a_reason(kind, raw, message):
    with pytest.raises(AnswerRejected, match=message):
        clean_answer({"kind": kind}, None, raw)

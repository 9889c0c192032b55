"""The documented check a receiver runs on every webhook delivery (app.webhooks.signing)."""
from __future__ import annotations

import pytest

from app.webhooks.delivery import retry_delay
from app.webhooks.signing import WebhookSignatureError, signature_header, verify_signature

SECRET = "whsec_test_secret"
BODY = b'{"id":"evt_1","type":"order.placed"}'
T = 1_800_000_000


def test_a_genuine_delivery_verifies_and_returns_its_timestamp():
    header = signature_header(SECRET, BODY, T)

    assert verify_signature(BODY, header, SECRET, now=T + 10) == T
    assert verify_signature(BODY.decode(), header, SECRET, now=T - 10) == T


def test_a_forged_body_a_wrong_secret_or_a_made_up_signature_is_refused():
    header = signature_header(SECRET, BODY, T)

    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(BODY.replace(b"placed", b"failed"), header, SECRET, now=T)
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(BODY, header, "whsec_another", now=T)
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify_signature(BODY, f"t={T},v1={'0' * 64}", SECRET, now=T)


def test_a_replayed_delivery_outside_the_tolerance_is_refused():
    header = signature_header(SECRET, BODY, T)

    with pytest.raises(WebhookSignatureError, match="tolerance"):
        verify_signature(BODY, header, SECRET, now=T + 301)
    assert verify_signature(BODY, header, SECRET, now=T + 300) == T
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        verify_signature(BODY, header, SECRET, tolerance=60, now=T + 61)


@pytest.mark.parametrize("header", [None, "", "v1=abc", f"t={T}", "t=abc,v1=abc", "t=²,v1=abc", "nonsense"])
def test_a_missing_or_malformed_header_is_refused(header):
    with pytest.raises(WebhookSignatureError, match="missing or malformed"):
        verify_signature(BODY, header, SECRET, now=T)


def test_the_time_check_cannot_be_switched_off():
    with pytest.raises(ValueError):
        verify_signature(BODY, signature_header(SECRET, BODY, T), SECRET, tolerance=0, now=T)


def test_retries_follow_the_schedule_then_repeat_its_last_delay():
    delays = (60, 300, 1800)

    assert [retry_delay(attempts, delays) for attempts in range(1, 6)] == [60, 300, 1800, 1800, 1800]

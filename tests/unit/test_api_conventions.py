"""The partner API's small rules, without a database: RFC 3339 UTC times, validation messages
flattened to one line per field, and a subscription's ETag (changes with what it shows)."""
from datetime import datetime, timedelta, timezone

import marshmallow as ma
import pytest

from app.api.common import UtcDateTime, utc
from app.api.errors import _flatten
from app.api.subscriptions import etag_of


def test_times_are_rfc3339_in_utc_with_a_z_and_inputs_need_a_zone():
    field = UtcDateTime()

    assert utc(datetime(2026, 11, 28, 12, 5, 7, 123456)) == "2026-11-28T12:05:07Z"
    assert utc(datetime(2026, 11, 28, 13, 5, tzinfo=timezone(timedelta(hours=1)))) == "2026-11-28T12:05:00Z"
    assert field.deserialize("2026-11-28T13:05:00+01:00") == datetime(2026, 11, 28, 12, 5)
    with pytest.raises(ma.ValidationError):
        field.deserialize("2026-11-28T13:05:00")


def test_validation_messages_name_each_field_by_its_path():
    messages = {"json": {"lines": {0: {"plan_term_id": ["Not a valid integer."]}}, "fingerprint": ["Missing data."]}}

    assert _flatten(messages) == ["lines.0.plan_term_id: Not a valid integer.", "fingerprint: Missing data."]


def test_a_subscriptions_etag_changes_with_its_content_not_with_its_label():
    shown = {"id": 1, "status": "active", "display_status": "Active", "quantities": [{"code": "seats", "quantity": 8}],
             "updated_at": datetime(2026, 11, 28, 12, 0)}

    assert etag_of(shown) == etag_of({**shown, "display_status": "Aktiv"})
    assert etag_of(shown) != etag_of({**shown, "quantities": [{"code": "seats", "quantity": 9}]})
    assert etag_of(shown).startswith('"') and etag_of(shown).endswith('"')

"""A bounded property-based run over the partner API's generated OpenAPI document
(schemathesis, in process, deterministic): for every operation, generated requests with a
valid key of a reseller that owns one object of each kind find no 5xx answer, and every answer
conforms to the document (status, content type, headers, body)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from tests.factories import make_invoice
from tests.integration.api.conftest import active_subscription

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def bearer(world, api_key, buying_reseller, handed_off) -> dict:
    active_subscription(world, world.customer)
    make_invoice(world.reseller, (1000,))
    db.session.commit()
    return {"Authorization": f"Bearer {api_key(world.users.reseller)}"}


def test_generated_requests_find_no_server_error_and_no_answer_outside_the_document(app, bearer):
    # schemathesis' own pytest plugin does not run on this pytest: each operation's strategy is
    # driven by hypothesis here instead, bounded and deterministic.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=bearer, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001  collected: one run reports every operation
            failures[operation.label] = str(failure)[:2000]
    assert len(operations) >= 20
    assert failures == {}

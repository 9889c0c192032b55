"""The OpenAPI document is generated from the code, served at /api/v1/openapi.json without a
key, valid OpenAPI 3.1, and describes the API's conventions: bearer auth, problem documents,
Idempotency-Key on every POST, cursor pagination on every list."""
from __future__ import annotations

from openapi_spec_validator import validate


def test_the_document_is_valid_openapi_31_and_states_the_conventions(client):
    answer = client.get("/api/v1/openapi.json")
    document = answer.json

    assert answer.status_code == 200
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "An API key: mk_<prefix>_<secret>"}
    assert document["security"] == [{"bearer": []}]
    operations = [(path, verb, operation) for path, item in document["paths"].items()
                  for verb, operation in item.items() if verb != "parameters"]
    for path, verb, operation in operations:
        assert "default" in operation["responses"], (verb, path)
        names = {parameter.get("name") for parameter in operation.get("parameters", [])}
        if verb == "post":
            assert "Idempotency-Key" in names, path
        if verb == "get" and not path.split("/")[-1].startswith("{") and not path.endswith("/pdf"):
            assert {"limit", "starting_after"} <= names, path
    problem = document["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_the_reference_page_uses_the_vendored_redoc_and_no_cdn(client):
    page = client.get("/api/v1/docs")

    assert page.status_code == 200
    assert b'src="/static/vendor/redoc/redoc.standalone.js"' in page.data
    assert b"https://" not in page.data
    assert "worker-src 'self' blob:" in page.headers["Content-Security-Policy"]
    assert client.get("/static/vendor/redoc/redoc.standalone.js").status_code == 200

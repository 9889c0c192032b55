"""Checks a response of the API against the OpenAPI document the app generates: its status is
documented for the operation, and its body validates against the documented schema of its
content type (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""
from __future__ import annotations

import json
import re

import jsonschema_rs


def operation_of(app, method: str, path: str) -> tuple[str, str]:
    """The documented path template and method of a request (``/api/v1/orders/{number}``)."""
    rule, _ = app.url_map.bind("localhost").match(path.split("?")[0], method=method, return_rule=True)
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower()


def _resolve(document: dict, item: dict) -> dict:
    while "$ref" in item and item["$ref"].startswith("#/components/responses/"):
        item = document["components"]["responses"][item["$ref"].rsplit("/", 1)[1]]
    return item


def violations(app, document: dict, method: str, path: str, response) -> list[str]:
    template, verb = operation_of(app, method, path)
    operation = document["paths"].get(template, {}).get(verb)
    where = f"{method} {path} -> {response.status_code}"
    if operation is None:
        return [f"{where}: {verb.upper()} {template} is not in the document"]
    responses = operation["responses"]
    documented = responses.get(str(response.status_code)) or responses.get("default")
    if documented is None:
        return [f"{where}: status not documented"]
    content = _resolve(document, documented).get("content", {})
    if response.status_code >= 400 and response.mimetype != "application/problem+json":
        return [f"{where}: an error answered {response.mimetype}, not application/problem+json"]
    if not content:
        return []
    if response.mimetype not in content:
        return [f"{where}: content type {response.mimetype} not documented ({sorted(content)})"]
    schema = content[response.mimetype].get("schema")
    if schema is None or response.mimetype != "application/json" and not response.mimetype.endswith("+json"):
        return []
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})
    body = json.loads(response.get_data(as_text=True))
    return [f"{where}: {error.message} at {list(error.instance_path)}" for error in validator.iter_errors(body)]

"""The API's errors: every refusal and HTTP error as an RFC 9457 problem document
(``application/problem+json``) with the message the pages show (``app.core.errors``)."""
from __future__ import annotations

import json

import marshmallow as ma
from flask import Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from app.core.errors import PROBLEM_CONTENT_TYPE, QuoteChanged, Refusal, problem_details
from app.extensions import db

# Messages of the HTTP errors the API itself raises (the pages' error page titles are for people).
HTTP_MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API key as 'Authorization: Bearer <key>'.",
    403: "This API key may not do that.",
    404: "Not found.",
    405: "That method is not allowed here.",
    406: "This resource answers in JSON only.",
    409: "That cannot be done right now.",
    412: "The resource changed since you read it: read it again (its ETag) and retry.",
    413: "The request is too large.",
    415: "Send the body as application/json.",
    422: "The request is not valid.",
    429: "Too many requests for this API key: wait and retry.",
    500: "Something went wrong on our side. Nothing was changed; please try again.",
    503: "The service is briefly unavailable. Nothing was changed; please try again shortly.",
}
KIND_BY_STATUS = {404: "not_found", 403: "forbidden", 409: "conflict", 422: "invalid", 402: "payment_required",
                  503: "unavailable"}


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document; ``kind``, ``errors`` and ``quote`` are extension members."""

    type = ma.fields.String(metadata={"description": "Always about:blank: the status says what kind of problem."})
    title = ma.fields.String(metadata={"description": "The status's phrase."})
    status = ma.fields.Integer()
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person (the message the pages show)."})
    instance = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "not_found, forbidden, conflict, invalid, payment_required, "
                                                     "unavailable, unauthorized, rate_limited, precondition_failed..."})
    errors = ma.fields.Dict(metadata={"description": "Per-field messages of a request that did not validate."})
    quote = ma.fields.Dict(metadata={"description": "On a 409 after prices moved: the new quote to confirm."})


def problem_response(body: dict, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=body["status"], mimetype=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_problem(status: int, detail: str | None = None, kind: str | None = None, **extra) -> dict:
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": detail or HTTP_MESSAGES.get(status, HTTP_STATUS_CODES.get(status, "Error")),
            "kind": kind or KIND_BY_STATUS.get(status, HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")),
            "instance": request.path}
    body.update({name: value for name, value in extra.items() if value is not None})
    return body


def refusal_response(refusal: Refusal) -> Response:
    """A refusal of any area: its status and message, as the pages show it. Nothing it wrote
    stays (the session is rolled back)."""
    db.session.rollback()
    body = problem_details(refusal, request.path)
    if isinstance(refusal, QuoteChanged) and refusal.quote is not None:
        from app.api.quotes import quote_of_refusal  # the schema module imports this one

        body["quote"] = quote_of_refusal(refusal.quote)
    return problem_response(body)


def http_error_response(error: HTTPException) -> Response:
    """Any HTTP error in the API: webargs' validation errors list each field's messages."""
    db.session.rollback()
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    headers = dict(data.get("headers") or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    if status == 429 and error.get_response() is not None:
        headers.update({name: value for name, value in error.get_response().headers.items()
                        if name.lower().startswith("ratelimit") or name.lower() == "retry-after"})
    detail = data.get("message") or (error.description if getattr(error, "api_detail", False) else None)
    if messages and not detail:
        detail = "The request is not valid: " + "; ".join(_flatten(messages))
    kind = {401: "unauthorized", 412: "precondition_failed", 429: "rate_limited", 400: "bad_request"}.get(status)
    return problem_response(http_problem(status, detail, kind, errors=messages or None), headers)


def _flatten(messages, path: str = "") -> list[str]:
    """webargs' nested ``{"json": {"lines": {"0": {"plan_term_id": ["..."]}}}}`` as lines."""
    if isinstance(messages, dict):
        out = []
        for name, value in messages.items():
            name = "" if name in ("json", "query", "headers", "view_args") else str(name)
            out.extend(_flatten(value, f"{path}.{name}" if path and name else (name or path)))
        return out
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return [f"{path}: {' '.join(messages)}" if path else " ".join(messages)]
    if isinstance(messages, list):
        return [line for item in messages for line in _flatten(item, path)]
    return [f"{path}: {messages}" if path else str(messages)]


class ApiHttpError(HTTPException):
    """An HTTP error the API raises with its own ``detail`` (shown as is)."""

    api_detail = True

    def __init__(self, status: int, detail: str) -> None:
        self.code = status
        super().__init__(description=detail)


def abort_api(status: int, detail: str):
    raise ApiHttpError(status, detail)



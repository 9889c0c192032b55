"""``Idempotency-Key`` on POST, as Stripe does it: the first answer to a key is stored for 24
hours and replayed for the same key and body; the same key with another body (or another
endpoint) answers 422; concurrent requests with one key make one effect.

How: before the view runs, a row for (organisation, key) is inserted if absent
(``core.locks.insert_if_absent``) in the request's own transaction, so it commits with the
work's effect or not at all. A concurrent request with the same key waits on that insert (on
PostgreSQL the unique index makes it wait for the first transaction), then finds the row and
waits until the first request has stored its answer, and replays it. Answers that say "try
again" (409, 429 and 5xx) are not stored: the row is deleted so a retry runs afresh. A
request that still finds the key in progress after ``IDEMPOTENCY_WAIT_SECONDS`` gets 409.
"""
from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta

from flask import Response, current_app, g, request
from sqlalchemy import delete, select

from app.api.errors import http_problem, problem_response
from app.api.models import IdempotencyRecord
from app.core.clock import current_now
from app.core.locks import insert_if_absent
from app.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEPT_FOR = timedelta(hours=24)
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")
NOT_STORED = (409, 429)


def _body_hash() -> str:
    """The body's JSON in a canonical form (key order and spacing do not matter), else its bytes."""
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status)
    for name, value in json.loads(record.response_headers or "{}").items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _answer_for(record: IdempotencyRecord, path: str, body_hash: str) -> Response | None:
    if record.request_path != path or record.body_hash != body_hash:
        return problem_response(http_problem(
            422, "This Idempotency-Key was already used with another request: use a new key for a new request.",
            "invalid"))
    return _replay(record) if record.status is not None else None


def _find(organisation_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.organisation_id == organisation_id,
                                                             IdempotencyRecord.key == key)
                             .execution_options(populate_existing=True))


def begin() -> Response | None:
    """Before a POST: claims the key (then the view runs) or answers with the stored answer, a
    422 for another body, a 409 while the first request still runs. None: go on."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        return problem_response(http_problem(400, f"An {HEADER} has 1 to {MAX_KEY_LENGTH} printable characters.",
                                             "bad_request"))
    organisation_id, now = g.api_organisation.id, current_now()
    path, body_hash = f"POST {request.path}", _body_hash()
    deadline = time.monotonic() + current_app.config.get("IDEMPOTENCY_WAIT_SECONDS", 10)
    while True:
        values = {"organisation_id": organisation_id, "key": key, "request_path": path, "body_hash": body_hash,
                  "status": None, "response_body": "", "response_headers": "", "created_at": now}
        if insert_if_absent(IdempotencyRecord, values, ("organisation_id", "key")):
            g.idempotency_key = key
            return None
        db.session.commit()  # ends the transaction: the next read sees what the first request committed
        record = _find(organisation_id, key)
        if record is not None and now - record.created_at > KEPT_FOR:
            db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
            db.session.commit()
            continue
        if record is not None:
            answer = _answer_for(record, path, body_hash)
            if answer is not None:
                return answer
        if time.monotonic() > deadline:
            return problem_response(http_problem(
                409, "A request with this Idempotency-Key is still in progress: retry in a moment.", "conflict"))
        db.session.rollback()
        time.sleep(0.05)


def finish(response: Response) -> Response:
    """After a POST that claimed its key: stores the answer (and commits), or frees the key when
    the answer means "try again"."""
    key = g.pop("idempotency_key", None)
    if key is None:
        return response
    organisation_id = g.api_organisation.id
    record = _find(organisation_id, key)
    if response.status_code >= 500 or response.status_code in NOT_STORED:
        if record is not None:
            db.session.delete(record)
        db.session.commit()
        return response
    if record is None:  # the view's refusal rolled the claim back with everything else: store it anew
        stored = insert_if_absent(IdempotencyRecord, {
            "organisation_id": organisation_id, "key": key, "request_path": f"POST {request.path}",
            "body_hash": _body_hash(), "status": None, "response_body": "", "response_headers": "",
            "created_at": current_now()}, ("organisation_id", "key"))
        if not stored:  # a concurrent request with the key claimed it meanwhile: its answer counts
            db.session.commit()
            return response
        record = _find(organisation_id, key)
    if record is not None and record.status is None:
        record.status = response.status_code
        record.response_body = response.get_data(as_text=True)
        record.response_headers = json.dumps({name: response.headers[name] for name in REPLAYED_HEADERS
                                              if name in response.headers})
    db.session.commit()
    return response


def purge_expired(now) -> int:
    """Deletes the answers kept longer than 24 hours (their keys may be used afresh); commits.
    The number deleted."""
    deleted = db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - KEPT_FOR)).rowcount
    db.session.commit()
    return deleted

"""The webhook connector: POSTs a signed JSON event to the vendor's URL.

The vendor answers 200 with ``{"status": "done", "vendor_reference": ...}`` (or
``needs_information`` / ``failed``), 202 when it accepted the work and will call back
``POST /vendor/callback/<request id>`` signed the same way, or an error (retried later).
Settings: ``url`` and ``secret`` (per product).
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from flask import current_app

from app.provisioning.connectors.base import Outcome, ProvisioningCall, outcome_from_vendor_answer
from app.provisioning.signing import HEADER, signature_header

# No proxies: vendors are called directly (a proxy from the environment must not see them).
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def event_body(call: ProvisioningCall) -> bytes:
    event = {
        "id": call.idempotency_key,
        "type": f"subscription.{call.action}",
        "request_id": call.request_id,
        "idempotency_key": call.idempotency_key,
        "callback_url": call.callback_url,
        "subscription": {
            "id": call.subscription_id, "owner": {"id": call.owner_id, "name": call.owner_name},
            "product": call.product, "plan": call.plan, "term": call.term,
            "quantities": call.quantities, "parameters": call.parameters,
        },
    }
    return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()


def provision(call: ProvisioningCall) -> Outcome:
    url, secret = call.settings.get("url"), call.settings.get("secret")
    if not url or not secret:
        return Outcome.error("The webhook connector of this product has no URL or secret.", permanent=True)
    body = event_body(call)
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "Idempotency-Key": call.idempotency_key,
        HEADER: signature_header(secret, body, int(time.time())),
    })
    try:
        with _opener.open(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        return Outcome.error(f"The vendor answered HTTP {error.code}.")
    except (urllib.error.URLError, OSError) as error:
        return Outcome.error(f"The vendor could not be reached: {getattr(error, 'reason', error)}")
    if status == 202:
        return Outcome.accepted()
    if status != 200:
        return Outcome.error(f"The vendor answered HTTP {status}.")
    try:
        answer = json.loads(payload or b'{"status": "done"}')
    except ValueError:
        return Outcome.error("The vendor's answer was not JSON.")
    return outcome_from_vendor_answer(answer if isinstance(answer, dict) else {})

"""The payment provider behind a narrow interface: the ONLY module that calls ``stripe``.

Every function returns a small frozen dataclass (or raises from ``app.payments.errors``), so the
rest of the app never sees a Stripe object. The client is built from the app's configuration
(``STRIPE_SECRET_KEY``, ``STRIPE_API_BASE``), which lets tests and the demo talk to localstripe.

Known limits of localstripe, the stand-in used by tests and ``make run``, shaped this module:
it ignores ``Idempotency-Key`` (so callers must not rely on the provider to deduplicate),
answers 500 to ``confirm(payment_method=...)`` (the method is given at creation, then the intent
is confirmed without parameters), and refuses ``automatic_payment_methods`` and ``return_url``
(intents are created with ``payment_method_types=["card"]``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import wraps

import stripe
from flask import current_app

from app.payments.errors import CardDeclined, InvalidWebhook, PaymentProviderError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntentResult:
    id: str
    status: str  # Stripe's: requires_payment_method, requires_action, processing, succeeded, ...
    client_secret: str | None
    failure_message: str | None = None
    amount: int = 0
    currency: str = ""
    metadata: dict = field(default_factory=dict, compare=False)
    failure_code: str | None = None  # the provider's code of ``failure_message``, e.g. "card_declined"
    payment_method_id: str | None = None  # the card it was (last) tried with


@dataclass(frozen=True)
class SetupIntentResult:
    id: str
    status: str
    client_secret: str | None
    customer_id: str | None
    payment_method_id: str | None


@dataclass(frozen=True)
class CardDetails:
    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    object: dict = field(compare=False)  # the event's ``data.object`` as plain data


def _client() -> stripe.StripeClient:
    """One client per (key, API base), kept on the app: clients pool their connections."""
    key, base = current_app.config["STRIPE_SECRET_KEY"], current_app.config["STRIPE_API_BASE"]
    clients = current_app.extensions.setdefault("stripe_clients", {})
    if (key, base) not in clients:
        clients[(key, base)] = stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=1)
    return clients[(key, base)]


def _provider_call(function):
    """Turn any Stripe library error that escaped into a logged ``PaymentProviderError``."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except stripe.StripeError as error:
            log.error("stripe: %s failed: %s (%s)", function.__name__, error, type(error).__name__)
            raise PaymentProviderError(f"{function.__name__}: {error}") from error

    return wrapper


def _plain(stripe_object) -> dict:
    """A Stripe object as plain data (they are not dicts)."""
    return stripe_object.to_dict()


def _intent_result(stripe_intent) -> IntentResult:
    intent = _plain(stripe_intent)
    error = intent.get("last_payment_error") or {}
    failed = intent["status"] in ("requires_payment_method", "canceled")
    method = intent.get("payment_method") or (error.get("payment_method") or {}).get("id")
    return IntentResult(
        id=intent["id"],
        status=intent["status"],
        client_secret=intent.get("client_secret"),
        failure_message=error.get("message") if failed else None,
        amount=intent.get("amount") or 0,
        currency=(intent.get("currency") or "").upper(),
        metadata=dict(intent.get("metadata") or {}),
        failure_code=error.get("code") if failed else None,
        payment_method_id=method if isinstance(method, str) else None,
    )


def _card_details(stripe_method) -> CardDetails:
    method = _plain(stripe_method)
    card = method.get("card") or {}
    return CardDetails(method["id"], card.get("brand", ""), card.get("last4", ""),
                       int(card.get("exp_month") or 0), int(card.get("exp_year") or 0))


def _is_missing(error: stripe.StripeError) -> bool:
    return isinstance(error, stripe.InvalidRequestError) and error.http_status == 404


@_provider_call
def ensure_customer(organisation_id: int, name: str, email: str | None, existing_id: str | None = None) -> str:
    """The Stripe customer id of an organisation: ``existing_id`` while it exists at the provider,
    else a new customer (the idempotency key is derived from the organisation)."""
    client = _client()
    if existing_id:
        try:
            customer = _plain(client.v1.customers.retrieve(existing_id))
            if not customer.get("deleted"):
                return customer["id"]
        except stripe.StripeError as error:
            if not _is_missing(error):
                raise
        log.warning("stripe: customer %s of organisation %s is gone; creating a new one", existing_id, organisation_id)
    params = {"name": name, "metadata": {"organisation_id": str(organisation_id)}}
    if email:
        params["email"] = email
    customer = client.v1.customers.create(params=params, options={"idempotency_key": f"customer-organisation-{organisation_id}-{existing_id or 'first'}"})
    return customer.id


@_provider_call
def create_setup_intent(customer_id: str) -> SetupIntentResult:
    """A SetupIntent for saving a card in the browser with Stripe.js ``confirmCardSetup``."""
    intent = _client().v1.setup_intents.create(params={"customer": customer_id, "payment_method_types": ["card"], "usage": "off_session"})
    return _setup_intent_result(intent)


@_provider_call
def retrieve_setup_intent(setup_intent_id: str) -> SetupIntentResult:
    return _setup_intent_result(_client().v1.setup_intents.retrieve(setup_intent_id))


def _setup_intent_result(stripe_intent) -> SetupIntentResult:
    intent = _plain(stripe_intent)
    return SetupIntentResult(intent["id"], intent["status"], intent.get("client_secret"), intent.get("customer"), intent.get("payment_method"))


@_provider_call
def set_default_payment_method(customer_id: str, payment_method_id: str) -> CardDetails:
    """Attach the payment method to the customer (when it is not yet) and make it the default."""
    client = _client()
    method = client.v1.payment_methods.retrieve(payment_method_id)
    if _plain(method).get("customer") != customer_id:
        try:
            method = client.v1.payment_methods.attach(payment_method_id, params={"customer": customer_id})
        except stripe.CardError as error:
            raise CardDeclined(error.user_message or "Your card was declined.") from error
    client.v1.customers.update(customer_id, params={"invoice_settings": {"default_payment_method": payment_method_id}})
    return _card_details(method)


@_provider_call
def default_payment_method(customer_id: str) -> CardDetails | None:
    """The customer's default card, or ``None``."""
    client = _client()
    customer = _plain(client.v1.customers.retrieve(customer_id))
    method_id = (customer.get("invoice_settings") or {}).get("default_payment_method")
    if not method_id:
        return None
    return _card_details(client.v1.payment_methods.retrieve(method_id))


@_provider_call
def create_payment_intent(amount: int, currency: str, customer_id: str | None, payment_method_id: str,
                          idempotency_key: str, metadata: dict[str, str], confirm: bool = True,
                          off_session: bool = False) -> IntentResult:
    """Create a card PaymentIntent and (by default) confirm it at once.

    A declined card is not an exception here: the result has status ``requires_payment_method``
    and the bank's reason in ``failure_message``. Creation and confirmation are two requests
    (keys ``idempotency_key`` and ``idempotency_key + ":confirm"``) so the intent id is known
    even when the bank declines.

    ``off_session``: the card was just authenticated when it was saved (a SetupIntent for
    off-session use), so the payment is made on that authentication, as Stripe documents for
    saved cards: created and confirmed in one request with ``off_session=true`` (Stripe takes
    ``off_session`` only with ``confirm``). When the bank still asks for authentication
    (``authentication_required``), that intent is cancelled and the payment made on-session
    as usual, so the buyer is asked only when the bank insists."""
    client = _client()
    params = {"amount": amount, "currency": currency.lower(), "payment_method": payment_method_id,
              "payment_method_types": ["card"], "metadata": metadata}
    if customer_id:
        params["customer"] = customer_id
    if off_session and confirm:
        result = _create_off_session(client, params, idempotency_key)
        if result.failure_code != "authentication_required":
            return result
        client.v1.payment_intents.cancel(result.id)
        idempotency_key += ":on-session"
    intent = client.v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
    if not confirm:
        return _intent_result(intent)
    try:
        intent = client.v1.payment_intents.confirm(intent.id, options={"idempotency_key": idempotency_key + ":confirm"})
    except stripe.CardError as error:
        log.info("stripe: payment intent %s declined: %s", intent.id, error.user_message)
        return _declined(client.v1.payment_intents.retrieve(intent.id), error)
    return _intent_result(intent)


def _create_off_session(client, params: dict, idempotency_key: str) -> IntentResult:
    try:
        intent = client.v1.payment_intents.create(params={**params, "confirm": True, "off_session": True},
                                                  options={"idempotency_key": idempotency_key})
    except stripe.CardError as error:
        log.info("stripe: off-session payment declined: %s (%s)", error.user_message, error.code)
        # Stripe names the failed intent in the error; localstripe only its charge.
        body = (error.json_body or {}).get("error") or {}
        intent_id = (body.get("payment_intent") or {}).get("id")
        if intent_id is None and body.get("charge"):
            intent_id = _plain(client.v1.charges.retrieve(body["charge"])).get("payment_intent")
        if intent_id is None:
            raise
        return _declined(client.v1.payment_intents.retrieve(intent_id), error)
    return _intent_result(intent)


def _declined(stripe_intent, error: stripe.CardError) -> IntentResult:
    """The intent the bank declined, with the bank's reason even when the intent lacks it."""
    result = _intent_result(stripe_intent)
    if result.failure_message:
        return result if result.failure_code else replace(result, failure_code=error.code)
    return replace(result, failure_message=error.user_message or "Your card was declined.", failure_code=error.code)


@_provider_call
def retrieve_payment_intent(payment_intent_id: str) -> IntentResult:
    return _intent_result(_client().v1.payment_intents.retrieve(payment_intent_id))


@_provider_call
def cancel_payment_intent(payment_intent_id: str) -> IntentResult:
    """Cancel an intent that has not succeeded (so a stale browser cannot complete it)."""
    return _intent_result(_client().v1.payment_intents.cancel(payment_intent_id))


@_provider_call
def refund(payment_intent_id: str, idempotency_key: str, amount: int | None = None) -> RefundResult:
    """Refund a succeeded intent, in full unless ``amount`` is given."""
    params = {"payment_intent": payment_intent_id}
    if amount is not None:
        params["amount"] = amount
    result = _plain(_client().v1.refunds.create(params=params, options={"idempotency_key": idempotency_key}))
    return RefundResult(result["id"], result.get("status") or "succeeded", int(result.get("amount") or 0))


def parse_webhook(payload: bytes, signature_header: str | None) -> WebhookEvent:
    """The verified event, or ``InvalidWebhook`` for a missing header, a bad signature (wrong
    secret or altered body) or a timestamp older than ``STRIPE_WEBHOOK_TOLERANCE`` seconds."""
    if not signature_header:
        raise InvalidWebhook("no Stripe-Signature header")
    tolerance = current_app.config["STRIPE_WEBHOOK_TOLERANCE"]
    if not tolerance:
        raise RuntimeError("STRIPE_WEBHOOK_TOLERANCE must not be 0: that switches the timestamp check off")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, current_app.config["STRIPE_WEBHOOK_SECRET"],
                                               tolerance=tolerance, api_key=current_app.config["STRIPE_SECRET_KEY"])
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(str(error)) from error
    except ValueError as error:  # a signed body that is not JSON
        raise InvalidWebhook(f"unreadable payload: {error}") from error
    try:
        return WebhookEvent(event.id, event.type, event.data.object.to_dict())
    except (AttributeError, KeyError) as error:
        raise InvalidWebhook(f"not an event: {error}") from error

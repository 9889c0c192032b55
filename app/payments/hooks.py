"""What happens to an order or an invoice when its card payment succeeds, fails or is refunded.

An extension point: ``PAYMENT_HOOKS`` maps an outcome to a function; the defaults only log.
The orders area registers the settlement of card orders at start-up (``app.orders.settlement``:
mark the order paid, invoice it, e-mail, hand it to provisioning), and the lifecycle the
dunning of invoices charged off-session (``app.plans.collection.register_hooks``):

    register_payment_hook("succeeded", settlement.on_card_payment_succeeded)   # f(order_id)
    register_payment_hook("failed", settlement.on_card_payment_failed)         # f(order_id, message)
    register_payment_hook("refunded", settlement.on_card_payment_refunded)     # f(order_id)
    register_payment_hook("invoice_succeeded", collection.on_invoice_payment_succeeded)  # f(invoice_id, now)
    register_payment_hook("invoice_failed", collection.on_invoice_payment_failed)        # f(invoice_id, message, now)

Guarantees: a hook runs inside the database transaction that records the payment's new status,
while that payment row is locked, and only when the status really changes; so "succeeded" runs
exactly once per order even when the confirmed intent and the webhook both report success (or
the same webhook arrives three times). A hook must not commit, and should write rows (e.g. a
fulfillment request) rather than call out; when it raises, the whole change is rolled back and
the webhook is answered 500 so the provider delivers it again.
"""
from __future__ import annotations

import logging
from typing import Callable

log = logging.getLogger(__name__)


def _log_succeeded(order_id: int) -> None:
    log.info("payment succeeded for order %s (no succeeded hook registered)", order_id)


def _log_failed(order_id: int, message: str) -> None:
    log.info("payment failed for order %s: %s (no failed hook registered)", order_id, message)


def _log_refunded(order_id: int) -> None:
    log.info("payment refunded for order %s (no refunded hook registered)", order_id)


def _log_invoice_succeeded(invoice_id: int, now) -> None:
    log.info("payment succeeded for invoice %s (no invoice_succeeded hook registered)", invoice_id)


def _log_invoice_failed(invoice_id: int, message: str, now) -> None:
    log.info("payment failed for invoice %s: %s (no invoice_failed hook registered)", invoice_id, message)


PAYMENT_HOOKS: dict[str, Callable] = {
    "succeeded": _log_succeeded,
    "failed": _log_failed,
    "refunded": _log_refunded,
    # Off-session charges of invoices (renewals, prorations): f(invoice_id, now), f(invoice_id, message, now).
    "invoice_succeeded": _log_invoice_succeeded,
    "invoice_failed": _log_invoice_failed,
}


def register_payment_hook(outcome: str, function: Callable) -> None:
    if outcome not in PAYMENT_HOOKS:
        raise ValueError(f"unknown payment outcome {outcome!r}; one of {sorted(PAYMENT_HOOKS)}")
    PAYMENT_HOOKS[outcome] = function


def run_payment_hook(outcome: str, *arguments) -> None:
    PAYMENT_HOOKS[outcome](*arguments)

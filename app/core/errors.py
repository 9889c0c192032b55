"""One family for the refusals a user may read: ``Refusal``, with a ``message`` (what the user
reads, as is) and a ``kind`` that decides the HTTP status, here and nowhere else.

Every area raises its own subclasses (``CheckoutError``, ``PaymentFailed``, ``LifecycleRefused``,
...); the HTML views and the JSON API translate any of them the same way: ``status_of`` for the
code, ``problem_details`` for an RFC 9457 body. A refusal changes nothing: the service that
raises it has written nothing, or rolled back what it wrote.

Not every ``Refusal`` message names the real cause: a provider failure only logged
(``app.payments.errors.PaymentProviderError``) carries a generic message and keeps the detail
in ``str()``, which is for the log only.
"""
from __future__ import annotations

import enum

from werkzeug.http import HTTP_STATUS_CODES


class RefusalKind(str, enum.Enum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"  # the state changed or forbids it now (a price moved, a form used twice)
    INVALID = "invalid"  # what was asked for cannot be done as asked
    PAYMENT_REQUIRED = "payment_required"
    UNAVAILABLE = "unavailable"  # a dependency (the payment provider) is briefly away


STATUS_BY_KIND: dict[RefusalKind, int] = {
    RefusalKind.NOT_FOUND: 404,
    RefusalKind.FORBIDDEN: 403,
    RefusalKind.CONFLICT: 409,
    RefusalKind.INVALID: 422,
    RefusalKind.PAYMENT_REQUIRED: 402,
    RefusalKind.UNAVAILABLE: 503,
}


class Refusal(Exception):
    """Something a user asked for was refused; nothing was changed. ``message`` is for the
    user as is. Subclasses set ``kind`` (and may set a default ``message``)."""

    kind: RefusalKind = RefusalKind.INVALID
    message: str = "This cannot be done."

    def __init__(self, message: str | None = None, *, kind: RefusalKind | None = None) -> None:
        if message:
            self.message = message
        if kind is not None:
            self.kind = kind
        super().__init__(self.message)

    @property
    def buyer_message(self) -> str:
        """The name the checkout and payment code has used for ``message``."""
        return self.message

    @property
    def status(self) -> int:
        return status_of(self)


class QuoteChanged(Refusal):
    """The amounts differ from the ones the buyer confirmed (a price, a quantity or the day
    changed): the buyer looks at the new quote and confirms again. ``quote``, when given, is
    what to show next (a checkout ``Quote`` or a change's preview)."""

    kind = RefusalKind.CONFLICT

    def __init__(self, message: str, quote: object | None = None) -> None:
        super().__init__(message)
        self.quote = quote


def status_of(refusal: Refusal) -> int:
    """The HTTP status of a refusal: the one mapping from kind to status."""
    return STATUS_BY_KIND[RefusalKind(refusal.kind)]


PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_details(refusal: Refusal, instance: str | None = None) -> dict:
    """An RFC 9457 problem document for ``refusal`` (served as ``PROBLEM_CONTENT_TYPE``). The
    type is ``about:blank`` (the status says it all), so the title is the status's phrase;
    ``kind`` is an extension member a client may switch on; ``detail`` is the user's
    message, never the logged detail."""
    status = status_of(refusal)
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES[status], "status": status,
            "detail": refusal.message, "kind": RefusalKind(refusal.kind).value}
    if instance:
        body["instance"] = instance
    return body

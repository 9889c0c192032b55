"""Named refusals of the subscription lifecycle (``app.core.errors.Refusal``). Each message can
be shown to the buyer as is.

``QuoteChanged`` is the one class of that name (``app.core.errors``): the checkout's and the
change page's confirmations raise it too.
"""
from __future__ import annotations

from app.core.errors import QuoteChanged, Refusal, RefusalKind

__all__ = ["QuoteChanged"]  # and every class below


class LifecycleRefused(Refusal):
    """A requested change, cancellation or resumption cannot be done; nothing was changed."""

    def __init__(self, message: str, resource_code: str | None = None) -> None:
        super().__init__(message)
        self.resource_code = resource_code


class SubscriptionNotChangeable(LifecycleRefused):
    """Only active subscriptions change quantities (a cancelled one is resumed first)."""

    kind = RefusalKind.CONFLICT


class UnknownResource(LifecycleRefused):
    """The resource is not part of the subscription's plan."""


class NotAWholeNumber(LifecycleRefused):
    """Quantities are whole numbers."""


class BelowMinimum(LifecycleRefused):
    pass


class AboveMaximum(LifecycleRefused):
    pass


class OffStep(LifecycleRefused):
    """The quantity is not the minimum plus a multiple of the plan's step."""


class SingleUserSeatFixed(LifecycleRefused):
    """Single-user subscriptions hold exactly one seat."""


class SeatsAssigned(LifecycleRefused):
    """Seats cannot go below the number assigned to users: unassign first."""

    kind = RefusalKind.CONFLICT


class NotChangeableByCustomer(LifecycleRefused):
    """Only the reseller may change this resource."""


class OneTimeNotReducible(LifecycleRefused):
    """A one-time resource was delivered once; it cannot be given back."""


class NothingToChange(LifecycleRefused):
    pass


class NotCancellable(LifecycleRefused):
    kind = RefusalKind.CONFLICT


class NotResumable(LifecycleRefused):
    kind = RefusalKind.CONFLICT


class NoScheduledChange(LifecycleRefused):
    kind = RefusalKind.CONFLICT

"""Named refusals of the subscription lifecycle. Each message can be shown to the buyer as is."""
from __future__ import annotations


class LifecycleRefused(Exception):
    """A requested change, cancellation or resumption cannot be done; nothing was changed."""

    def __init__(self, message: str, resource_code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.resource_code = resource_code


class SubscriptionNotChangeable(LifecycleRefused):
    """Only active subscriptions change quantities (a cancelled one is resumed first)."""


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


class NotChangeableByCustomer(LifecycleRefused):
    """Only the reseller may change this resource."""


class OneTimeNotReducible(LifecycleRefused):
    """A one-time resource was delivered once; it cannot be given back."""


class NothingToChange(LifecycleRefused):
    pass


class QuoteChanged(LifecycleRefused):
    """The amounts differ from the ones the buyer confirmed (a price, a quantity or the day
    changed): the buyer must look at the new quote and confirm again."""


class NotCancellable(LifecycleRefused):
    pass


class NotResumable(LifecycleRefused):
    pass


class NoScheduledChange(LifecycleRefused):
    pass

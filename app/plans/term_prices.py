"""Prices locked for a subscription's term: the plan term's and every resource's, at all tiers.

A prepaid subscription renews, and is changed, at the prices of its term; a new term re-reads
them from the price book. They are stored on ``Subscription.locked_prices`` as JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from app.catalog.pricing import PriceBook, PriceNotSet, TierPrices, viewer_for


@dataclass(frozen=True)
class TermPrices:
    currency: str
    plan: TierPrices
    resources: Mapping[int, TierPrices] = field(default_factory=dict)

    def resource(self, resource_id: int) -> TierPrices:
        try:
            return self.resources[resource_id]
        except KeyError:
            raise PriceNotSet(f"no locked price for resource {resource_id}") from None

    def to_json(self) -> dict:
        return {
            "currency": self.currency,
            "plan": _tiers_json(self.plan),
            "resources": {str(resource_id): _tiers_json(t) for resource_id, t in sorted(self.resources.items())},
        }

    @classmethod
    def from_json(cls, data: dict) -> "TermPrices":
        currency = data["currency"]
        return cls(
            currency=currency,
            plan=_tiers(currency, data["plan"]),
            resources={int(key): _tiers(currency, value) for key, value in data.get("resources", {}).items()},
        )


def _tiers_json(tiers: TierPrices) -> dict:
    return {"cost": tiers.cost, "msrp": tiers.msrp, "customer": tiers.customer}


def _tiers(currency: str, data: dict) -> TierPrices:
    return TierPrices(currency=currency, cost=data["cost"], msrp=data["msrp"], customer=data["customer"])


def locked_prices_of(subscription) -> TermPrices | None:
    return TermPrices.from_json(subscription.locked_prices) if subscription.locked_prices else None


def load_term_prices(subscription, at: datetime | None = None) -> TermPrices:
    """The prices of the subscription's plan term and resources in effect at ``at`` (default:
    now), as its owner's seller sets them (reads the price book: the database)."""
    book = PriceBook(viewer_for(subscription.owner), subscription.marketplace, at=at)
    term_id = subscription.plan_term_id
    resources = {
        plan_resource.resource_id: book.resource_tiers(term_id, plan_resource.resource_id)
        for plan_resource in subscription.plan.resources
        if book.has_resource(term_id, plan_resource.resource_id)
    }
    return TermPrices(currency=subscription.currency, plan=book.plan_term_tiers(term_id), resources=resources)


def term_prices_now(subscription, locked: TermPrices | None = None) -> TermPrices:
    """The prices a change or the subscription's page uses: those locked for its term, with
    today's price book for resources the lock lacks (or for everything when nothing is locked)."""
    locked = locked if locked is not None else locked_prices_of(subscription)
    if locked is not None and all(pr.resource_id in locked.resources for pr in subscription.plan.resources):
        return locked
    today = load_term_prices(subscription)
    return TermPrices(today.currency, locked.plan if locked else today.plan,
                      {**today.resources, **(locked.resources if locked else {})})

"""Builders for the pure lifecycle rules: change contexts and transient (unsaved) subscriptions."""
from __future__ import annotations

from datetime import datetime

from app.catalog.models import Plan, PlanResource, PlanTerm, Resource
from app.catalog.pricing import TierPrices
from app.plans.change_quote import ChangeContext, ResourceTerms
from app.plans.models import ScheduledChange, Subscription, SubscriptionResource
from app.plans.periods import Period
from app.plans.policy import ChangePolicy
from app.plans.term_prices import TermPrices

SEATS, STORAGE, QUICKSTART = 1, 2, 3

SEAT_TERMS = ResourceTerms(SEATS, "seats", "Seats", included=5, minimum=5, maximum=100, measures_seats=True)
STORAGE_TERMS = ResourceTerms(STORAGE, "storage", "Storage", included=0, minimum=10, maximum=1000, step=10,
                              customer_changeable=False)
QUICKSTART_TERMS = ResourceTerms(QUICKSTART, "quickstart", "QuickStart", maximum=1, one_time=True)

SEAT_PRICES = TierPrices("USD", cost=200, msrp=300, customer=250)
STORAGE_PRICES = TierPrices("USD", cost=10, msrp=15, customer=12)
QUICKSTART_PRICES = TierPrices("USD", cost=20000, msrp=25000, customer=25000)
PLAN_PRICES = TierPrices("USD", cost=800, msrp=1000, customer=900)

MARCH = Period(datetime(2026, 3, 1), datetime(2026, 4, 1))  # 31 days


def context(**overrides) -> ChangeContext:
    values = dict(
        subscription_id=7,
        status="active",
        single_user=False,
        policy=ChangePolicy(),
        period=MARCH,
        currency="USD",
        resources={SEATS: SEAT_TERMS, STORAGE: STORAGE_TERMS, QUICKSTART: QUICKSTART_TERMS},
        current={SEATS: 8, STORAGE: 50, QUICKSTART: 0},
        prices={SEATS: SEAT_PRICES, STORAGE: STORAGE_PRICES, QUICKSTART: QUICKSTART_PRICES},
        plan_prices=PLAN_PRICES,
    )
    values.update(overrides)
    return ChangeContext(**values)


def term_prices(plan=PLAN_PRICES, seats=SEAT_PRICES, storage=STORAGE_PRICES) -> TermPrices:
    return TermPrices("USD", plan, {SEATS: seats, STORAGE: storage, QUICKSTART: QUICKSTART_PRICES})


def subscription(*, payment_model="prepaid", term_months=1, billing_months=1, status="active",
                 start=datetime(2026, 3, 1), end=datetime(2026, 4, 1), anchor=None, term_end=None,
                 trial_ends_at=None, cancel_at_period_end=False, seats=8, storage=50,
                 prices: TermPrices | None = None) -> Subscription:
    """An unsaved subscription of a plan with seats (5 included), storage and a one-time QuickStart."""
    plan = Plan(id=3, name="Sync Pro", payment_model=payment_model, kind="organisation")
    term = PlanTerm(id=4, plan=plan, name="Monthly" if term_months == 1 else "Annual",
                    period_months=term_months, billing_frequency_months=billing_months)
    for resource_id, code, kind, included in ((SEATS, "seats", "recurring", 5), (STORAGE, "storage", "recurring", 0),
                                              (QUICKSTART, "quickstart", "one_time", 0)):
        resource = Resource(id=resource_id, code=code, name=code.title(), kind=kind)
        PlanResource(plan=plan, resource_id=resource_id, resource=resource, included=included)
    return Subscription(
        id=7, plan=plan, plan_term=term, plan_id=3, plan_term_id=4, currency="USD", status=status,
        current_period_start=start, current_period_end=end, period_anchor=anchor or start,
        term_end=term_end if term_end is not None else end, trial_ends_at=trial_ends_at,
        cancel_at_period_end=cancel_at_period_end,
        locked_prices=(prices or term_prices()).to_json(),
        resources=[SubscriptionResource(resource_id=SEATS, quantity=seats),
                   SubscriptionResource(resource_id=STORAGE, quantity=storage),
                   SubscriptionResource(resource_id=QUICKSTART, quantity=1)],
    )


def scheduled(targets: dict[int, int], effective_at: datetime, change_id: int = 11) -> ScheduledChange:
    return ScheduledChange(id=change_id, subscription_id=7, effective_at=effective_at, status="scheduled",
                           quantities={str(k): v for k, v in targets.items()})

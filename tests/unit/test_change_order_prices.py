"""A change order charges what its change quote showed, at the payer's tier: the order's items
are priced by the same proration as the quote (no check at run time is needed to keep them equal)."""
from datetime import timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from app.catalog.pricing import TierPrices
from app.orders.change_lines import price_change
from app.plans.change_quote import quote_change
from app.plans.policy import ChangePolicy, DecreasePolicy
from tests.unit.plans.builders import MARCH, QUICKSTART, SEAT_TERMS, SEATS, STORAGE, context


def subscription(*, reseller_pays: bool):
    plan = SimpleNamespace(name="Sync Pro", product=SimpleNamespace(name="Sync"))
    return SimpleNamespace(id=7, plan=plan, plan_term=SimpleNamespace(name="Monthly"), plan_term_id=4, currency="USD",
                           payer=SimpleNamespace(acts_as_reseller=reseller_pays), owner=SimpleNamespace(name="Acme"))


prices = st.integers(min_value=0, max_value=1_000_000)


@given(prices, prices, st.integers(0, 30), st.integers(5, 60), st.integers(5, 60), st.booleans(), st.booleans())
def test_the_change_orders_items_add_up_to_the_quote_at_the_payers_tier(cost, customer, day, seats, new_seats,
                                                                        reseller_pays, window):
    policy = ChangePolicy(decrease=DecreasePolicy.WINDOW, decrease_window_days=7) if window else ChangePolicy()
    tiers = TierPrices("USD", cost=cost, msrp=customer, customer=customer)
    change_context = context(current={SEATS: seats, STORAGE: 50, QUICKSTART: 0}, policy=policy,
                             resources={SEATS: SEAT_TERMS}, prices={SEATS: tiers},
                             refundable={SEATS: max(0, seats - 5)})
    if new_seats == seats:
        new_seats += 1
    change = quote_change(change_context, {SEATS: new_seats}, MARCH.start + timedelta(days=day, hours=9))

    preview = price_change(subscription(reseller_pays=reseller_pays), change, 1000, False)

    (line,) = preview.order_quote.lines
    expected = change.reseller_total if reseller_pays else change.customer_total
    assert sum(item.subtotal for item in line.items) == expected

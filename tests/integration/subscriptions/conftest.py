"""Fixtures of the subscription pages: the ``world`` on a fixed clock, its reseller on account.

Prices (US, 10 % tax, per month): the customer plan 800 cost / 1000 MSRP, a seat above the five
included 200 / 300; Customer A's reseller set no price, so the customer pays the MSRP."""
from __future__ import annotations

import html
import re
from datetime import datetime

import pytest

from app.extensions import db
from app.core.clock import FixedClock
from tests.integration.plans.conftest import make_plan_with_seats, subscribe  # noqa: F401  (fixtures)

FEB_1 = datetime(2026, 2, 1, 9)  # a 28-day period: 1 February 09:00 to 1 March 09:00
FEB_11 = datetime(2026, 2, 11, 15)  # 18 days left


@pytest.fixture
def on_account(world):
    world.reseller.credit_limit = 1_000_000
    db.session.commit()
    return world


@pytest.fixture
def clock(app, monkeypatch):
    """The app's clock, standing at ``FEB_11`` unless a test moves it (``clock.at(...)``)."""

    class Clock:
        def at(self, moment: datetime) -> None:
            monkeypatch.setitem(app.config, "CLOCK", FixedClock(moment))

    moved = Clock()
    moved.at(FEB_11)
    return moved


def hidden(text: str, name: str) -> str:
    match = re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', text)
    return match.group(1) if match else ""


def review(client, subscription_id: int, key: str = "a" * 32, panel: str = "customer", **quantities):
    data = {"idempotency_key": key, "review": "Review the price", **{f"qty-{code}": str(v) for code, v in quantities.items()}}
    return client.post(f"/{panel}/subscriptions/{subscription_id}/change", data=data)


def confirm(client, subscription_id: int, fingerprint: str, key: str = "a" * 32, panel: str = "customer", **quantities):
    data = {"idempotency_key": key, "fingerprint": fingerprint, "confirm": "Confirm the change",
            **{f"qty-{code}": str(v) for code, v in quantities.items()}}
    return client.post(f"/{panel}/subscriptions/{subscription_id}/change", data=data)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))

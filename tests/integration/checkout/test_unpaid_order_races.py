"""Races around the duty that cancels unpaid card orders, on PostgreSQL with real threads each
in its own app context: two duties at once cancel and mail once; a buyer paying while the duty
runs either pays (and the order is not cancelled) or finds it cancelled (and is not charged)."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.mail.models import OutboxMessage
from app.orders.abandonment import cancel_unpaid_orders
from app.orders.models import Order
from app.orders.settlement import pay_order
from tests.integration.checkout.test_unpaid_orders import NOW, place_card_order

pytestmark = pytest.mark.postgres_only  # skipped on SQLite (tests/conftest.py), which serialises every writer
DAY = timedelta(hours=24)


def _race(app, functions) -> list:
    start = threading.Barrier(len(functions))

    def run(function):
        with app.app_context():
            start.wait()
            try:
                return function()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(functions)) as pool:
        return list(pool.map(run, functions))


def test_ten_concurrent_runs_of_the_duty_cancel_each_order_and_mail_once(app, shop, localstripe, handed_off):
    orders = [place_card_order(shop) for _ in range(3)]
    db.session.commit()

    results = _race(app, [lambda: cancel_unpaid_orders(NOW + DAY)] * 10)

    db.session.expire_all()
    assert sum(results) == 3
    assert {db.session.get(Order, order.id).status for order in orders} == {"canceled"}
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "order_cancelled")) == 3


def test_a_payment_racing_the_duty_either_pays_or_finds_the_order_cancelled(app, shop, card_on_file, localstripe, handed_off):
    for _ in range(3):  # a few rounds: either side may win
        card_on_file(shop.reseller)
        order = place_card_order(shop)
        order_id = order.id
        db.session.commit()

        def pay():
            return pay_order(db.session.get(Order, order_id), seen_attempts=0, now=NOW + DAY).kind

        steps = _race(app, [pay, lambda: cancel_unpaid_orders(NOW + DAY)])

        db.session.expire_all()
        order = db.session.get(Order, order_id)
        intents = [intent["status"] for intent in localstripe.payment_intents(order_id)]
        if order.payment_status == "paid":
            assert (steps, order.status, intents) == (["paid", 0], "placed", ["succeeded"])
            assert order.number in handed_off
        else:
            assert (steps[0], steps[1], order.status, order.payment_status, intents) == ("canceled", 1, "canceled", "canceled", [])
            assert order.number not in handed_off

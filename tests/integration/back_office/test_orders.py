"""Every organisation's orders in the back office: by displayed status, searchable by order number
or buyer name, paged on the server with a fixed number of queries (issue 13)."""
from __future__ import annotations

import re

from app.extensions import db
from tests.factories import make_order


def _numbers(page: str) -> list[str]:
    return re.findall(r'<tr data-order="([^"]+)">', page)


def _orders(world):
    paid = make_order(world.customer, [{"plan": world.customer_plan}], number="ORD-2026-000101", total=1100)
    paid.payment_status, paid.status = "invoiced", "completed"
    card = make_order(world.reseller, [{"plan": world.reseller_plan}], number="ORD-2026-000102")
    card.payment_method, card.payment_status = "card", "unpaid"
    failed = make_order(world.foreign_customer, [{"plan": world.customer_plan}], number="ORD-2026-000103")
    failed.payment_status, failed.status = "invoiced", "failed"
    db.session.commit()
    return paid, card, failed


def test_staff_filter_orders_by_displayed_status(client, auth, world):
    paid, card, failed = _orders(world)
    auth.login("staff@dist.test")

    listed = {status: _numbers(client.get(f"/staff/orders?status={status}").get_data(as_text=True))
              for status in ("completed", "awaiting_payment", "placed", "failed")}
    everything = _numbers(client.get("/staff/orders").get_data(as_text=True))

    assert listed == {"completed": [paid.number], "awaiting_payment": [card.number], "placed": [], "failed": [failed.number]}
    assert sorted(everything) == sorted([paid.number, card.number, failed.number])


def test_staff_search_by_order_number_or_buyer_name(client, auth, world):
    paid, card, failed = _orders(world)
    auth.login("staff@dist.test")

    assert _numbers(client.get("/staff/orders?q=000102").get_data(as_text=True)) == [card.number]
    assert _numbers(client.get("/staff/orders?q=customer+z").get_data(as_text=True)) == [failed.number]
    assert _numbers(client.get("/staff/orders?q=100%25").get_data(as_text=True)) == []  # % is a character, not a wildcard


def test_the_list_pages_on_the_server_in_a_fixed_number_of_queries(client, auth, world, count_queries):
    for number in range(60):
        make_order(world.customer, [{"plan": world.customer_plan}], number=f"ORD-2026-{number:06d}")
    db.session.commit()
    auth.login("staff@dist.test")
    client.get("/staff/orders")

    with count_queries() as first:
        first_page = client.get("/staff/orders").get_data(as_text=True)
    with count_queries() as second:
        second_page = client.get("/staff/orders?page=2").get_data(as_text=True)

    assert len(_numbers(first_page)) == 50 and len(_numbers(second_page)) == 10
    assert "Page 1 of 2" in first_page
    assert first.count == second.count <= 8


def test_others_do_not_find_the_staff_orders(client, auth, world):
    auth.login(world.users.reseller.email)
    assert client.get("/staff/orders").status_code == 404

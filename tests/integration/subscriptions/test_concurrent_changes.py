"""Two people add seats to one subscription at the same moment, through HTTP on a live server
(PostgreSQL row locks): the quantity ends consistent and each change has its own invoice."""
from __future__ import annotations

import re
import threading

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.billing.models import Invoice
from app.extensions import db
from app.plans.models import QuantityRecord, Subscription
from tests.factories import PASSWORD
from tests.integration.subscriptions.conftest import FEB_1


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _field(text: str, name: str) -> str:
    return re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', text).group(1)


@pytest.mark.postgres_only
def test_two_simultaneous_seat_changes_through_http_lose_no_update(app, live_url, on_account, subscribe, clock):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    world = on_account
    subscription = subscribe(FEB_1)
    path = f"subscriptions/{subscription.id}/change"
    both_reviewed = threading.Barrier(2)
    outcomes, failures = [], []

    def add_seats(email: str, extra: int) -> None:
        try:
            http = requests.Session()
            http.post(f"{live_url}/sign-in", data={"email": email, "password": PASSWORD}, timeout=10)
            url = f"{live_url}/{'reseller' if email.endswith('@reseller.test') else 'customer'}/{path}"
            page = http.get(url, timeout=10).text
            key, first = _field(page, "idempotency_key"), True
            for _ in range(5):
                current = int(re.search(r'data-current="seats">(\d+)<', page).group(1))
                reviewed = http.post(url, data={"idempotency_key": key, "review": "1", "qty-seats": current + extra}, timeout=10)
                if first:
                    both_reviewed.wait(timeout=10)
                    first = False
                confirmed = http.post(url, allow_redirects=False, timeout=10, data={
                    "idempotency_key": key, "fingerprint": _field(reviewed.text, "fingerprint"), "confirm": "1",
                    "qty-seats": current + extra})
                outcomes.append((email, confirmed.status_code))
                if confirmed.status_code == 302:
                    return
                page = http.get(url, timeout=10).text  # the price moved: look again, confirm again
        except Exception as error:  # surfaced by the assertions
            failures.append(error)

    threads = [threading.Thread(target=add_seats, args=args)
               for args in (("admin@reseller.test", 2), ("admin@customer-a.test", 3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(code for _, code in outcomes if code == 302) == [302, 302]
    assert set(code for _, code in outcomes) <= {302, 409}
    db.session.expire_all()
    assert db.session.get(Subscription, subscription.id).quantity_of(world.seats.id) == 13
    # cost 2 x 200 x 18/28 = 257.14 -> 257 + 26 tax; 3 x 200 x 18/28 = 385.71 -> 386 + 39 tax
    assert sorted(db.session.scalars(select(Invoice.total))) == [283, 425]
    assert db.session.scalar(select(func.count(QuantityRecord.id)).where(QuantityRecord.resource_id == world.seats.id)) == 3

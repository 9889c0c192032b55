"""Subscriptions through the API: the list in scope with filters and cursor pages, one with its
ETag, a change previewed then confirmed with the preview's fingerprint, cancel and resume."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.plans.models import Subscription
from tests.factories import make_billing_info
from tests.integration.api.conftest import active_subscription


def test_reseller_lists_its_customers_subscriptions_in_pages(world, api_as):
    own = [active_subscription(world, world.customer) for _ in range(3)]
    active_subscription(world, world.foreign_customer)
    db.session.commit()
    api = api_as(world.users.reseller, "read")

    first = api.get("/api/v1/subscriptions?limit=2")
    second = api.get(f"/api/v1/subscriptions?limit=2&starting_after={first.json['data'][-1]['id']}")

    assert first.status_code == 200
    assert [row["id"] for row in first.json["data"]] == [own[0].id, own[1].id]
    assert first.json["has_more"] is True
    assert [row["id"] for row in second.json["data"]] == [own[2].id]
    assert second.json["has_more"] is False
    assert second.json["data"][0]["quantities"][0]["code"] == "seats"


def test_list_filters_by_customer_and_status(world, api_as):
    kept = active_subscription(world, world.customer)
    active_subscription(world, world.second_customer)
    active_subscription(world, world.customer, status="canceled")
    db.session.commit()

    answer = api_as(world.users.reseller).get(f"/api/v1/subscriptions?customer_id={world.customer.id}&status=active")

    assert [row["id"] for row in answer.json["data"]] == [kept.id]


def test_a_bad_filter_is_a_problem_document_and_no_key_is_401(world, api_as, client):
    bad = api_as(world.users.reseller).get("/api/v1/subscriptions?limit=500")
    anonymous = client.get("/api/v1/subscriptions")

    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    assert "limit" in bad.json["detail"]
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "application/problem+json"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def test_get_answers_an_etag_and_another_tenant_gets_404(world, api_as):
    subscription = active_subscription(world, world.customer)
    db.session.commit()

    mine = api_as(world.users.customer).get(f"/api/v1/subscriptions/{subscription.id}")
    foreign = api_as(world.users.other_reseller).get(f"/api/v1/subscriptions/{subscription.id}")

    assert mine.status_code == 200
    assert mine.headers["ETag"].startswith('"')
    assert mine.json["status"] == "active"
    assert foreign.status_code == 404
    assert foreign.json["detail"] == "That subscription was not found."


def test_change_preview_then_confirm_with_its_fingerprint(world, api_as):
    make_billing_info(world.reseller)
    world.reseller.credit_limit = 1_000_000
    subscription = active_subscription(world, world.customer)
    db.session.commit()
    api = api_as(world.users.reseller)
    etag = api.get(f"/api/v1/subscriptions/{subscription.id}").headers["ETag"]

    preview = api.post(f"/api/v1/subscriptions/{subscription.id}/changes/preview", json={"quantities": {"seats": 12}})
    stale = api.post(f"/api/v1/subscriptions/{subscription.id}/changes", headers={"If-Match": '"stale"'},
                     json={"quantities": {"seats": 12}, "fingerprint": preview.json["fingerprint"]})
    confirmed = api.post(f"/api/v1/subscriptions/{subscription.id}/changes", headers={"If-Match": etag},
                         json={"quantities": {"seats": 12}, "fingerprint": preview.json["fingerprint"]})

    assert preview.status_code == 200, preview.json
    assert stale.status_code == 412
    assert confirmed.status_code == 201, confirmed.json
    assert confirmed.json["subscription"]["quantities"][0]["quantity"] == 12
    assert confirmed.json["order_number"].startswith("ORD-")
    assert confirmed.headers["ETag"] != etag


def test_a_read_key_cannot_cancel_and_nothing_changes(world, api_as):
    subscription = active_subscription(world, world.customer)
    db.session.commit()

    answer = api_as(world.users.customer, "read").post(f"/api/v1/subscriptions/{subscription.id}/cancel")

    assert answer.status_code == 403
    assert answer.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.scalar(select(Subscription.status).where(Subscription.id == subscription.id)) == "active"


def test_cancel_then_resume(world, api_as):
    subscription = active_subscription(world, world.customer)
    db.session.commit()
    api = api_as(world.users.customer)

    canceled = api.post(f"/api/v1/subscriptions/{subscription.id}/cancel")
    resumed = api.post(f"/api/v1/subscriptions/{subscription.id}/resume")

    assert canceled.status_code == 200, canceled.json
    assert canceled.json["status"] == "canceled"
    assert resumed.status_code == 200, resumed.json
    assert resumed.json["status"] == "active"


def test_a_page_of_subscriptions_costs_the_same_queries_whatever_its_size(world, api_as, count_queries):
    api = api_as(world.users.reseller, "read")
    for _ in range(2):
        active_subscription(world, world.customer)
    db.session.commit()
    api.get("/api/v1/subscriptions")  # the key's last use is written once
    db.session.expire_all()  # the requests share the test's session: nothing loaded beforehand
    with count_queries() as small:
        assert len(api.get("/api/v1/subscriptions").json["data"]) == 2
    for _ in range(8):
        active_subscription(world, world.second_customer)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as large:
        assert len(api.get("/api/v1/subscriptions").json["data"]) == 10

    assert large.count == small.count


def test_updated_since_finds_a_subscription_whose_quantity_changed(world, api_as):
    from datetime import datetime, timedelta

    from sqlalchemy import update

    from app.core.clock import current_now

    quiet = active_subscription(world, world.customer)
    changed = active_subscription(world, world.customer)
    db.session.commit()
    long_ago = datetime(2025, 1, 1)
    db.session.execute(update(Subscription).values(updated_at=long_ago))
    db.session.commit()
    db.session.expire_all()
    db.session.get(Subscription, changed.id).resources[0].quantity = 9
    db.session.commit()
    since = (current_now() - timedelta(minutes=1)).replace(microsecond=0).isoformat() + "Z"

    answer = api_as(world.users.reseller).get(f"/api/v1/subscriptions?updated_since={since}")
    everything = api_as(world.users.reseller).get("/api/v1/subscriptions?updated_since=2024-12-31T00:00:00Z")

    assert [row["id"] for row in answer.json["data"]] == [changed.id]
    assert [row["id"] for row in everything.json["data"]] == [quiet.id, changed.id]
    assert answer.json["data"][0]["updated_at"].endswith("Z")

"""The reseller programme end to end with the real Redis and a real ``flask worker``: buying the
Standard plan provisions a live storefront at its path and mails the reseller how to customise
it; cancelling it switches the storefront off when the subscription ends."""
from __future__ import annotations

from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import select

from app.accounts.models import Organisation, Storefront
from app.extensions import db
from app.mail.models import OutboxMessage
from app.orders.models import Order
from app.plans.models import Subscription
from tests.conftest import TEST_REDIS_URL
from tests.factories import make_billing_info, make_storefront_product
from tests.integration.checkout.helpers import add_to_cart, open_checkout, place_order, term_of
from tests.workers import WorkerProcess, wait_for_idle_queues, wait_for_workers, wait_until, worker_environment

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def worker(_session_app, database_url, run_dir):
    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    log_path = run_dir / "storefront-worker.log"
    process = WorkerProcess(worker_environment(database_url, TEST_REDIS_URL), log_path)
    try:
        wait_for_workers(redis, 1)
        yield log_path
    finally:
        process.stop()
        redis.close()


@pytest.fixture(autouse=True)
def _jobs_done_before_the_tables_are_emptied(request, app):
    """After a test with the module's worker, its jobs have ended before ``app`` empties the
    tables (torn down first: it depends on ``app``)."""
    yield
    if "worker" in request.fixturenames:
        wait_for_idle_queues(Redis.from_url(TEST_REDIS_URL))


@pytest.fixture
def storefront_plans(world):
    product, free, standard = make_storefront_product(world.distributor, world.us)
    make_billing_info(world.reseller)
    world.reseller.credit_limit = 1_000_000
    db.session.commit()
    return product, free, standard


def _buy(client, auth, plan, email="admin@reseller.test"):
    auth.login(email)
    add_to_cart(client, term_of(plan))
    return place_order(client, open_checkout(client))


def test_buying_the_standard_plan_provisions_a_live_storefront(client, auth, world, storefront_plans, worker):
    _, _, standard = storefront_plans
    assert client.get("/s/reseller-one/").status_code == 404

    assert _buy(client, auth, standard).status_code in (302, 303)

    try:
        subscription = wait_until(lambda: db.session.scalar(select(Subscription).where(
            Subscription.owner_id == world.reseller.id, Subscription.status == "active")), timeout=30, message="the storefront to go live")
    except AssertionError:
        print(worker.read_text()[-4000:])
        raise
    storefront = db.session.scalar(select(Storefront).where(Storefront.organisation_id == world.reseller.id))
    assert (storefront.slug, storefront.edition) == ("reseller-one", "standard")
    assert db.session.get(Organisation, world.reseller.id).storefront_enabled is True
    assert subscription.vendor_reference == f"STOREFRONT-{world.reseller.id}"
    home = client.get("/s/reseller-one/")
    assert home.status_code == 200 and "Reseller One" in home.get_data(as_text=True)
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "storefront_ready")).all()
    assert mail.recipient == "admin@reseller.test"
    assert "/s/reseller-one/" in mail.body and "/reseller/storefront" in mail.body

    # when the reseller cancels and the period ends, the storefront closes
    auth.login("admin@reseller.test")
    from app.plans.actions import cancel_subscription
    from app.plans.duties import run_duties

    cancel_subscription(subscription.id, subscription.current_period_start + timedelta(days=1))
    db.session.commit()
    assert client.get("/s/reseller-one/").status_code == 200  # open until the period ends
    run_duties(subscription.current_period_end + timedelta(seconds=1))
    wait_until(lambda: db.session.get(Organisation, world.reseller.id).storefront_enabled is False, timeout=30,
               message="the storefront to close")
    assert client.get("/s/reseller-one/").status_code == 404


def test_only_an_organisation_with_reselling_enabled_can_buy_the_storefront(client, auth, world, storefront_plans):
    _, free, standard = storefront_plans
    make_billing_info(world.customer)
    world.customer.credit_limit = 1_000_000
    db.session.commit()
    from tests.factories import make_user

    make_user(world.other_reseller, "buyer@other.test")
    world.other_reseller.reselling_enabled = False
    make_billing_info(world.other_reseller)
    world.other_reseller.credit_limit = 1_000_000
    db.session.commit()

    for email in ("admin@customer-a.test", "buyer@other.test"):
        auth.login(email)
        answer = add_to_cart(client, term_of(standard), follow_redirects=True).get_data(as_text=True)
        assert "not enabled for reselling" in answer, email
        auth.logout()

    assert db.session.scalar(select(Order.id)) is None


def test_staff_assign_the_free_plan_through_the_checkout(client, auth, world, storefront_plans, worker):
    import re

    from app.accounts.activity import ActivityEntry

    _, free, _ = storefront_plans
    auth.login("staff@dist.test")
    page = client.get(f"/staff/organisations/{world.reseller.id}").get_data(as_text=True)
    form = re.search(rf'data-assign-term="{free.terms[0].id}">(.*?)</form>', page, re.S).group(1)
    values = dict(re.findall(r'name="(plan_term_id|idempotency_key|fingerprint)" value="([^"]+)"', form))

    first = client.post(f"/staff/organisations/{world.reseller.id}/storefront-plan", data=values)
    again = client.post(f"/staff/organisations/{world.reseller.id}/storefront-plan", data=values)  # a double click

    assert first.status_code == again.status_code == 302
    [order] = db.session.scalars(select(Order).where(Order.buyer_id == world.reseller.id)).all()
    assert (order.placed_by_id, order.total, order.payment_status) == (None, 0, "invoiced")
    assert [line.subscription.plan_id for line in order.lines] == [free.id]
    assert db.session.scalar(select(ActivityEntry.actor_user_id).where(ActivityEntry.action == "storefront.assigned")) == world.users.staff.id
    # And the module's worker provisions it like any order (nothing of it still runs when the test ends)
    wait_until(lambda: db.session.scalar(select(Subscription.id).where(
        Subscription.owner_id == world.reseller.id, Subscription.status == "active")), timeout=30, message="the free storefront to go live")


def test_staff_cannot_assign_a_storefront_to_an_organisation_without_reselling(client, auth, world, storefront_plans):
    world.reseller.reselling_enabled = False
    db.session.commit()
    auth.login("staff@dist.test")

    page = client.get(f"/staff/organisations/{world.reseller.id}").get_data(as_text=True)

    assert "data-assign-term" not in page
    _, free, _ = storefront_plans
    response = client.post(f"/staff/organisations/{world.reseller.id}/storefront-plan",
                           data={"plan_term_id": str(free.terms[0].id), "fingerprint": "0" * 64, "idempotency_key": "a" * 32},
                           follow_redirects=True)
    assert "not enabled for reselling" in response.get_data(as_text=True)
    assert db.session.scalar(select(Order.id)) is None

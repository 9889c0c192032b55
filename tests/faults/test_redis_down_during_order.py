"""Redis down while an order is placed: the order is saved, and its provisioning runs once Redis
is back (the sweeper re-enqueues it): nothing lost, nothing done twice."""
from datetime import timedelta

from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app.core.clock import current_now
from app.extensions import db
from app.orders.models import Order
from app.plans.models import Subscription
from app.provisioning.dispatch import provisioning_queue
from app.provisioning.models import DemoVendorCall, FulfillmentRequest
from app.provisioning.sweeper import sweep
from tests.factories import PASSWORD
from tests.integration.checkout.conftest import shop  # noqa: F401  (fixture)
from tests.integration.checkout.helpers import add_to_cart, open_checkout, place_order, term_of
from tests.integration.provisioning.conftest import clean_redis, fast_provisioning, redis_client  # noqa: F401  (fixtures)


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_order_placed_while_redis_is_down_is_provisioned_once_redis_is_back(app, fresh_app, shop, clean_redis, fast_provisioning):
    # Given a web process whose Redis is unreachable
    down = fresh_app(REDIS_URL="redis://127.0.0.1:1/0", DEMO_VENDOR_LATENCY=0.0)
    browser = down.test_client()
    browser.post("/sign-in", data={"email": "admin@reseller.test", "password": PASSWORD})
    # When the reseller places an order
    add_to_cart(browser, term_of(shop.reseller_plan), seats=5)
    response = place_order(browser, open_checkout(browser))
    # Then the order, its pending subscription and its fulfillment request are saved
    assert response.status_code == 302 and "/orders/ORD-" in response.headers["Location"]
    db.session.rollback()
    assert (_count(Order), _count(FulfillmentRequest)) == (1, 1)
    request = db.session.scalar(select(FulfillmentRequest))
    assert request.state == "pending"
    assert db.session.get(Subscription, request.subscription_id).status == "pending"
    # and nothing reached the (real) queue
    assert len(Queue("provisioning", connection=clean_redis)) == 0

    # When Redis is back and the sweeper runs (it re-enqueues requests whose job never arrived)
    later = current_now() + timedelta(seconds=app.config["PROVISIONING_REQUEUE_AFTER"] + 1)
    assert sweep(later).requeued == 1
    assert sweep(later).requeued == 0  # the job is waiting now: a second sweep adds nothing
    SimpleWorker([provisioning_queue()], connection=provisioning_queue().connection).work(burst=True)

    # Then the subscription is active, provisioned exactly once
    db.session.rollback()
    request = db.session.scalar(select(FulfillmentRequest))
    assert request.state == "completed"
    assert db.session.get(Subscription, request.subscription_id).status == "active"
    calls = db.session.scalars(select(DemoVendorCall)).all()
    assert [(call.idempotency_key, call.took_effect) for call in calls] == [(request.idempotency_key, True)]
    # and later sweeps find nothing to do
    assert sweep(later + timedelta(minutes=5)).requeued == 0

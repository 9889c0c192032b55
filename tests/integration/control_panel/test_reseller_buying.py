"""Buying in the reseller panel through HTTP (issue 11 items 4-6), every flow through the one
checkout: "Create subscription" (single-user end user, new or existing customer, paid by the
reseller at its cost), "Add new order" for one of its customers (the customer's order, at the
reseller's customer prices, on account), "Buy more services" (plans for resellers, its own use).
Refusals change nothing; another reseller's customer is not found; members only look."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Organisation, User
from app.extensions import db
from app.mail.models import OutboxMessage
from app.orders.models import Order
from app.plans.models import Subscription
from app.provisioning.models import FulfillmentRequest
from app.provisioning.runner import run_request
from tests import factories as f
from tests.integration.checkout.helpers import assert_invoiced_as_quoted, minor_units_shown, parse_checkout


@pytest.fixture
def panel_shop(world, app, monkeypatch):
    """``world`` where Reseller One (credit $10,000) and customer A (credit $1,000) have billing
    information, Reseller One sells the customer plan's monthly term at $12.00, the marketplace
    has terms, a single-user plan exists, and provisioning runs at once when asked."""
    monkeypatch.setitem(app.config, "DEMO_VENDOR_LATENCY", 0.0)
    monkeypatch.setattr("app.provisioning.handoff.schedule_run", lambda request, now: None)  # run here, by _provision_all
    world.monthly = next(term for term in world.customer_plan.terms if term.code == "monthly")
    world.reseller_monthly = next(term for term in world.reseller_plan.terms if term.code == "monthly")
    f.set_reseller_price(world.reseller, world.us, world.monthly, amount=1200)
    f.make_billing_info(world.reseller, tax_id="US-1234")
    f.make_billing_info(world.customer)
    world.reseller.credit_limit = 1_000_000
    world.customer.credit_limit = 100_000
    world.us.terms_text, world.us.terms_version = "Marketplace terms.", "2026-01"
    world.single_plan = f.make_plan(world.product, distributor=world.distributor, marketplace=world.us, kind="single_user",
                                    cost=500, msrp=700, code="plus-single")
    f.add_plan_resource(world.single_plan, world.seats, distributor=world.distributor, marketplace=world.us,
                        included=1, minimum=1, maximum=1, cost=0, msrp=0)
    world.single_monthly = world.single_plan.terms[0]
    db.session.commit()
    return world


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _provision_all() -> None:
    for request_id in db.session.scalars(select(FulfillmentRequest.id)).all():
        run_request(request_id, "test:1")
    db.session.expire_all()


def _outbox(kind: str) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(m.recipient, m.subject) for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind))]


def _place(client, url, page, data):
    return client.post(url, data={**data, "fingerprint": page.fingerprint, "idempotency_key": page.idempotency_key,
                                  "terms": page.terms, "payment_method": "on_account"})


# Item 4: Create subscription

def test_create_subscription_lists_plans_for_customers_at_the_resellers_cost_and_searches(client, auth, panel_shop):
    auth.login("admin@reseller.test")
    page = client.get("/reseller/subscriptions/new")
    text = _text(page)
    assert page.status_code == 200
    assert f'data-plan="{panel_shop.customer_plan.id}"' in text and f'data-plan="{panel_shop.reseller_plan.id}"' not in text
    assert "data-price>$8.00<" in text  # the customer plan's cost, per month
    found = _text(client.get("/reseller/subscriptions/new", query_string={"q": "plus-sing"}))
    assert f'data-plan="{panel_shop.single_plan.id}"' in found and f'data-plan="{panel_shop.customer_plan.id}"' not in found
    assert "data-empty" in _text(client.get("/reseller/subscriptions/new", query_string={"q": "%_nothing"}))


def test_a_single_user_subscription_is_paid_by_the_reseller_and_its_end_user_gets_the_activation(client, auth, panel_shop):
    auth.login("admin@reseller.test")
    url = f"/reseller/subscriptions/new/plans/{panel_shop.single_plan.id}/order"
    data = {"term": panel_shop.single_monthly.id, "end_user_email": "Jane@Example.com", "end_user_name": "Jane Doe"}
    plan_page = _text(client.get(f"/reseller/subscriptions/new/plans/{panel_shop.single_plan.id}"))
    assert 'id="end_user_email"' in plan_page and 'id="new_customer_name"' not in plan_page
    summary = client.get(url, query_string=data)
    page = parse_checkout(summary)
    # the price preview: unit price, quantity, subtotal, tax and total at the reseller's cost ($5.00 + 10 %)
    assert summary.status_code == 200
    assert (minor_units_shown(page.total("subtotal")), minor_units_shown(page.total("tax")), minor_units_shown(page.total("total"))) == (500, 50, 550)
    assert "New customer: Jane Doe" in _text(summary) and 'name="end_user_email" value="Jane@Example.com"' in summary.get_data(as_text=True)
    response = _place(client, url, page, data)
    order = db.session.scalar(select(Order))
    assert (response.status_code, response.headers["Location"]) == (303, f"/orders/{order.number}")
    assert (order.buyer_id, order.total, _count(Order)) == (panel_shop.reseller.id, 550, 1)
    assert_invoiced_as_quoted(order, page)
    subscription = order.lines[0].subscription
    owner = db.session.get(Organisation, subscription.owner_id)
    assert (owner.name, owner.parent_id, subscription.payer_id) == ("Jane Doe", panel_shop.reseller.id, panel_shop.reseller.id)
    assert [(r.resource.code, r.quantity) for r in subscription.resources] == [("seats", 1)]
    # when provisioning completes, the end user gets the activation invitation
    _provision_all()
    assert _outbox("activation") == [("jane@example.com", "Activate your plus-single subscription")]
    assert db.session.scalar(select(User.organisation_id).where(User.email == "jane@example.com")) == owner.id
    # and the order page shows its provisioning status
    assert "Provisioning" in _text(client.get(response.headers["Location"]))


def test_an_organisation_subscription_creates_the_customer_and_invites_its_administrator(client, auth, panel_shop):
    auth.login("admin@reseller.test")
    url = f"/reseller/subscriptions/new/plans/{panel_shop.customer_plan.id}/order"
    data = {"term": panel_shop.monthly.id, "recipient": "new", "new_customer_name": "Newco Ltd",
            "new_customer_email": "boss@newco.example", "qty-seats": "7"}
    summary = client.get(url, query_string=data)
    page = parse_checkout(summary)
    # $8.00 + 2 extra seats x $2.00 = $12.00, tax $1.20
    assert (minor_units_shown(page.total("subtotal")), minor_units_shown(page.total("total"))) == (1200, 1320)
    # beside it, what Newco will pay at the reseller's customer prices ($12.00 + 2 seats at the MSRP, $3.00)
    assert "at your cost; your customer's price $18.00, margin $6.00" in _text(summary)
    response = _place(client, url, page, data)
    order = db.session.scalar(select(Order))
    assert response.status_code == 303 and (order.buyer_id, order.total) == (panel_shop.reseller.id, 1320)
    newco = db.session.scalar(select(Organisation).where(Organisation.name == "Newco Ltd"))
    assert (newco.parent_id, newco.kind) == (panel_shop.reseller.id, "customer")
    assert order.lines[0].subscription.owner_id == newco.id and order.lines[0].quantities["seats"] == 7
    _provision_all()
    assert _outbox("invitation") == [("boss@newco.example", "You are invited to administer Newco Ltd")]
    # the same form again places nothing more
    assert _place(client, url, page, data).headers["Location"] == f"/orders/{order.number}" and _count(Order) == 1


def test_an_organisation_subscription_for_an_existing_customer(client, auth, panel_shop):
    auth.login("admin@reseller.test")
    plan_page = _text(client.get(f"/reseller/subscriptions/new/plans/{panel_shop.customer_plan.id}",
                                 query_string={"customer_q": "Customer"}))
    assert "Customer A</option>" in plan_page and "Customer B</option>" in plan_page and "Customer Z" not in plan_page
    url = f"/reseller/subscriptions/new/plans/{panel_shop.customer_plan.id}/order"
    data = {"term": panel_shop.monthly.id, "recipient": "existing", "customer": panel_shop.second_customer.id}
    page = parse_checkout(client.get(url, query_string=data))
    assert _place(client, url, page, data).status_code == 303
    order = db.session.scalar(select(Order))
    assert (order.buyer_id, order.lines[0].subscription.owner_id, order.total) == (panel_shop.reseller.id, panel_shop.second_customer.id, 880)


def test_create_subscription_refuses_bad_input_next_to_the_field_and_writes_nothing(client, auth, panel_shop):
    auth.login("admin@reseller.test")
    url = f"/reseller/subscriptions/new/plans/{panel_shop.customer_plan.id}/order"
    base = {"term": panel_shop.monthly.id, "recipient": "new", "new_customer_name": "Newco", "new_customer_email": "boss@newco.example"}
    cases = [
        ({"new_customer_email": "not-an-address"}, "Enter the e-mail address of the new customer's administrator."),
        ({"new_customer_name": ""}, "Enter the new customer's organisation name (up to 200 characters)."),
        ({"new_customer_name": "customer a"}, "You already have a customer named customer a: order for that customer, or give the new one another name."),
        ({"qty-seats": "101"}, "Seats: choose between 5 and 100."),
        ({"qty-seats": "-3"}, "Seats: the quantity cannot be negative."),
        ({"recipient": "existing", "customer": ""}, "Choose the customer the subscription is for."),
        ({"recipient": "existing", "customer": panel_shop.foreign_customer.id}, "That customer is not one of yours."),
    ]
    for change, message in cases:
        response = client.get(url, query_string={**base, **change})
        assert response.status_code == 422 and message in _text(response), (change, _text(response)[-3000:])
    single = client.get(f"/reseller/subscriptions/new/plans/{panel_shop.single_plan.id}/order",
                        query_string={"term": panel_shop.single_monthly.id, "end_user_email": "nobody"})
    assert single.status_code == 422 and 'id="end_user_email-error">Enter the end user\'s e-mail address.<' in _text(single)
    # a summary tampered with before placing places nothing
    page = parse_checkout(client.get(url, query_string=base))
    assert _place(client, url, page, {**base, "new_customer_email": "x"}).status_code == 422
    assert _place(client, url, page, {**base, "qty-seats": "9"}).status_code == 409  # the quote changed: confirm again
    assert (_count(Order), _count(Subscription)) == (0, 0)
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Newco")) is None


def test_over_the_credit_limit_is_refused_with_the_checkouts_message(client, auth, panel_shop):
    panel_shop.reseller.credit_limit = 500
    db.session.commit()
    auth.login("admin@reseller.test")
    url = f"/reseller/subscriptions/new/plans/{panel_shop.customer_plan.id}/order"
    data = {"term": panel_shop.monthly.id, "recipient": "existing", "customer": panel_shop.customer.id}
    page = parse_checkout(client.get(url, query_string=data))
    refused = _place(client, url, page, data)
    assert refused.status_code == 402 and "data-refusal" in _text(refused) and "credit" in _text(refused).lower()
    assert _count(Order) == 0


# Item 5: Add new order for a customer

def test_add_new_order_places_the_customers_order_at_the_resellers_customer_price(client, auth, panel_shop):
    auth.login("admin@reseller.test")
    customer_id = panel_shop.customer.id
    listing = _text(client.get(f"/reseller/customers/{customer_id}/orders/new"))
    # the plans for customers at the customer's prices (the reseller's $12.00), never the reseller plans
    assert f'data-plan="{panel_shop.customer_plan.id}"' in listing and "data-price>$12.00<" in listing
    assert f'data-plan="{panel_shop.reseller_plan.id}"' not in listing
    url = f"/reseller/customers/{customer_id}/orders/new/plans/{panel_shop.customer_plan.id}/order"
    data = {"term": panel_shop.monthly.id, "qty-seats": "6", "qty-quickstart": "1"}
    summary = client.get(url, query_string=data)
    page = parse_checkout(summary)
    # $12.00 + 1 seat at the MSRP $3.00 + QuickStart $250.00 = $265.00, on account only
    assert (minor_units_shown(page.total("subtotal")), minor_units_shown(page.total("total"))) == (26500, 29150)
    assert 'data-method="on_account"' in _text(summary) and 'data-method="card"' not in _text(summary)
    response = _place(client, url, page, data)
    order = db.session.scalar(select(Order))
    assert (response.status_code, response.headers["Location"]) == (303, f"/reseller/customers/{customer_id}/orders/{order.number}")
    assert (order.buyer_id, order.placed_by_id, order.total) == (customer_id, panel_shop.users.reseller.id, 29150)
    assert (order.lines[0].subscription.owner_id, order.lines[0].subscription.payer_id) == (customer_id, customer_id)
    assert_invoiced_as_quoted(order, page)
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200 and "Provisioning" in _text(shown)
    assert client.get(f"/reseller/customers/{customer_id}/orders/{order.number}/progress").status_code == 200
    # and the order is in the customer's own panel
    auth.logout()
    auth.login("admin@customer-a.test")
    assert order.number in _text(client.get("/customer/orders"))


def test_another_resellers_customer_is_not_found_and_nothing_is_ordered(client, auth, panel_shop):
    auth.login("admin@reseller.test")
    foreign = panel_shop.foreign_customer.id
    plan = panel_shop.customer_plan.id
    data = {"term": panel_shop.monthly.id}
    assert client.get(f"/reseller/customers/{foreign}/orders/new").status_code == 404
    assert client.get(f"/reseller/customers/{foreign}/orders/new/plans/{plan}").status_code == 404
    assert client.get(f"/reseller/customers/{foreign}/orders/new/plans/{plan}/order", query_string=data).status_code == 404
    assert client.post(f"/reseller/customers/{foreign}/orders/new/plans/{plan}/order", data=data).status_code == 404
    assert client.get(f"/reseller/customers/{panel_shop.reseller.id}/orders/new").status_code == 404  # itself is no customer
    assert _count(Order) == 0


def test_a_customer_without_credit_cannot_be_ordered_for(client, auth, panel_shop):
    panel_shop.customer.credit_limit = None
    db.session.commit()
    auth.login("admin@reseller.test")
    summary = client.get(f"/reseller/customers/{panel_shop.customer.id}/orders/new/plans/{panel_shop.customer_plan.id}/order",
                         query_string={"term": panel_shop.monthly.id})
    assert "data-no-method" in _text(summary) and re.search(r'type="submit" disabled', summary.get_data(as_text=True))


# Item 6: Buy more services

def test_buy_more_services_orders_a_reseller_plan_for_its_own_use_at_cost(client, auth, panel_shop):
    auth.login("admin@reseller.test")
    listing = _text(client.get("/reseller/marketplace"))
    assert f'data-plan="{panel_shop.reseller_plan.id}"' in listing and f'data-plan="{panel_shop.customer_plan.id}"' not in listing
    assert "/reseller/marketplace" in _text(client.get("/reseller/subscriptions"))  # linked from its subscriptions
    url = f"/reseller/marketplace/plans/{panel_shop.reseller_plan.id}/order"
    data = {"term": panel_shop.reseller_monthly.id, "qty-seats": "5", "qty-quickstart": "1"}
    page = parse_checkout(client.get(url, query_string=data))
    assert "Vendor terms" in page.text and len(page.terms) == 2  # the marketplace's and the vendor's terms
    # without accepting the terms: refused, nothing placed
    refused = client.post(url, data={**data, "fingerprint": page.fingerprint, "idempotency_key": page.idempotency_key,
                                     "payment_method": "on_account"})
    assert refused.status_code == 422 and "Please accept" in _text(refused) and _count(Order) == 0
    response = _place(client, url, page, data)
    order = db.session.scalar(select(Order))
    assert response.headers["Location"] == f"/orders/{order.number}"
    # $16.00 + QuickStart $200.00 at cost, 10 % tax
    assert (order.buyer_id, order.subtotal, order.total) == (panel_shop.reseller.id, 21600, 23760)
    assert order.lines[0].subscription.owner_id == panel_shop.reseller.id
    assert 'id="provisioning-progress"' in _text(client.get(response.headers["Location"]))


def test_a_member_sees_the_pages_but_every_order_is_refused(client, auth, panel_shop):
    auth.login("member@reseller.test")
    url = f"/reseller/marketplace/plans/{panel_shop.reseller_plan.id}/order"
    data = {"term": panel_shop.reseller_monthly.id}
    summary = client.get(url, query_string=data)
    assert summary.status_code == 200 and "Only administrators of Reseller One can place orders." in _text(summary)
    assert _place(client, url, parse_checkout(summary), data).status_code == 403
    customer_url = f"/reseller/customers/{panel_shop.customer.id}/orders/new/plans/{panel_shop.customer_plan.id}/order"
    assert client.post(customer_url, data={"term": panel_shop.monthly.id}).status_code == 403
    assert client.post(f"/reseller/subscriptions/new/plans/{panel_shop.customer_plan.id}/order", data=data).status_code == 403
    assert _count(Order) == 0


def test_a_reseller_without_billing_information_is_told_first(client, auth, panel_shop):
    db.session.delete(panel_shop.reseller.billing_info)
    db.session.commit()
    auth.login("admin@reseller.test")
    summary = client.get(f"/reseller/marketplace/plans/{panel_shop.reseller_plan.id}/order",
                         query_string={"term": panel_shop.reseller_monthly.id})
    assert "Before your first order, tell us who to invoice." in _text(summary) and "Add billing information" in _text(summary)


def test_the_checkout_gate_lets_a_resellers_administrators_order_for_its_own_customers_only(panel_shop):
    from app.orders.gates import NotAllowedToOrder, check_gates

    users, lines = panel_shop.users, [object()]
    check_gates(panel_shop.customer, users.reseller, panel_shop.us, lines)  # its own customer: allowed
    for user, buyer in [(users.other_reseller, panel_shop.customer), (users.reseller_member, panel_shop.customer),
                        (users.reseller, panel_shop.foreign_customer), (users.customer, panel_shop.second_customer)]:
        with pytest.raises(NotAllowedToOrder):
            check_gates(buyer, user, panel_shop.us, lines)
    panel_shop.reseller.reselling_enabled = False  # no longer a reseller: no longer orders for them
    db.session.flush()
    with pytest.raises(NotAllowedToOrder):
        check_gates(panel_shop.customer, users.reseller, panel_shop.us, lines)


def test_the_plan_list_is_searched_and_paged_in_the_url_in_a_fixed_number_of_queries(client, auth, panel_shop, count_queries):
    auth.login("admin@reseller.test")
    url = f"/reseller/customers/{panel_shop.customer.id}/orders/new"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for number in range(14):
        plan = f.make_plan(panel_shop.product, distributor=panel_shop.distributor, marketplace=panel_shop.us, code=f"bulk-{number:02d}")
        f.add_plan_resource(plan, panel_shop.seats, distributor=panel_shop.distributor, marketplace=panel_shop.us, included=1, maximum=50)
    f.make_plan(f.make_product(panel_shop.category, name="Unpriced"), distributor=panel_shop.distributor,
                marketplace=f.make_marketplace("UK", "GBP", country="GB", locale="en_GB"), code="sold-elsewhere")
    db.session.commit()
    client.get(url)
    with count_queries() as many:
        first = client.get(url)
    # 16 plans for customers sold here (the one sold only elsewhere is not listed): 12 on the first page
    assert many.count == few.count
    assert first.get_data(as_text=True).count("data-plan=") == 12 and "sold-elsewhere" not in _text(first)
    assert f'href="{url}?page=2"' in first.get_data(as_text=True)
    second = client.get(url, query_string={"page": 2})
    assert second.get_data(as_text=True).count("data-plan=") == 4
    searched = client.get(url, query_string={"q": "BULK-1"})
    assert searched.get_data(as_text=True).count("data-plan=") == 4  # bulk-10 to bulk-13
    assert client.get(url, query_string={"page": "x"}).status_code == 200


def test_in_support_mode_the_reseller_orders_in_its_customers_marketplace_on_account(client, auth, panel_shop):
    from app.accounts.activity import ActivityEntry

    auth.login("admin@reseller.test")
    assert client.post(f"/reseller/customers/{panel_shop.customer.id}/support").status_code == 302
    url = f"/customer/marketplace/plans/{panel_shop.customer_plan.id}/order"
    data = {"term": panel_shop.monthly.id}
    summary = client.get(url, query_string=data)
    assert 'data-method="on_account"' in _text(summary) and 'data-method="card"' not in _text(summary)
    response = _place(client, url, parse_checkout(summary), data)
    order = db.session.scalar(select(Order))
    assert response.headers["Location"] == f"/customer/orders/{order.number}"
    assert (order.buyer_id, order.placed_by_id, order.total) == (panel_shop.customer.id, panel_shop.users.reseller.id, 1320)
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.action == "order.placed"))
    assert entry.organisation_id == panel_shop.customer.id and entry.on_behalf_id == panel_shop.reseller.id


def test_placing_from_the_panel_looks_the_key_up_once_before_the_lock_and_once_under_it(client, auth, panel_shop, count_queries):
    # given the reseller's order summary for an existing plan
    auth.login("admin@reseller.test")
    url = f"/reseller/subscriptions/new/plans/{panel_shop.single_plan.id}/order"
    data = {"term": panel_shop.single_monthly.id, "end_user_email": "jane@example.com", "end_user_name": "Jane Doe"}
    page = parse_checkout(client.get(url, query_string=data))
    # when it places the order
    with count_queries() as counter:
        assert _place(client, url, page, data).status_code == 303
    # then the view's look-up (a resubmitted form goes to its order) serves the placing's first one
    key_lookups = [s for s in counter.statements if re.search(r'FROM "order"\s+WHERE "order".idempotency_key', s)]
    assert len(key_lookups) == 2

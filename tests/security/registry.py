"""What the security suite knows about each route. Every table here is read by the checks in
``checks.py``, which enumerate the app's URL map: a route that is in no table is checked with the
strictest rules (needs a session, refuses requests without a CSRF token), a route that takes
an id but is missing from ``TENANT_CASES`` fails the suite until someone adds it here, and every
route under a panel's path (``PANELS``) must refuse users outside that panel's audience.

Rules are matched by endpoint name, or by the rule's path with its arguments blanked (``<>``),
for routes whose endpoint name is not known yet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

# Endpoints anyone may reach without signing in, with the reason. Everything else must redirect
# to sign-in or answer 401/404 without a session.
PUBLIC_ENDPOINTS: dict[str, str] = {
    "static": "stylesheets, scripts, fonts",
    "core.healthz": "load balancers probe it",
    "core.favicon": "browsers fetch the site's icon before anyone signs in",
    "catalog.index": "storefront home",
    "catalog.browse": "storefront catalog",
    "catalog.product": "storefront product page",
    "catalog.set_region": "anonymous visitors pick their region",
    "accounts.login": "the sign-in form itself",
    "accounts.accept": "an invited user has no password yet; the signed invitation token is the credential",
    "onboarding.sign_up": "a newcomer opens an account; throttled per e-mail and client address",
    "onboarding.forgot_password": "someone who forgot their password asks for a link; throttled, answers the same for any address",
    "onboarding.reset_password": "the signed, single-use, expiring reset token is the credential",
    "onboarding.verify_email": "the e-mailed link may be opened signed out; the signed, expiring token is the credential",
    "cart.show": "anonymous visitors fill a cart (kept in their session) before signing in",
    "cart.add": "anonymous visitors fill a cart",
    "cart.edit_line": "anonymous visitors complete their cart lines",
    "cart.update_quantities": "anonymous visitors change their cart lines",
    "cart.remove": "anonymous visitors remove their cart lines",
    # A reseller's white-label storefront (seed 003): public while it is open, else 404.
    "white_label.home": "a reseller's white-label storefront home",
    "white_label.browse": "a reseller's white-label storefront catalog",
    "white_label.product": "a reseller's white-label storefront product page",
    "white_label.logo": "the storefront's logo, shown to its visitors",
    "white_label.theme": "the storefront's colours, a stylesheet its visitors load",
    "white_label.sign_up": "a visitor opens an account as the reseller's customer; throttled like the main sign-up",
    # Machine-to-machine posts, public but signature-verified.
    "/vendor/callback/<>": "vendor call-back, verified by its signature (issue 4)",
    "payments.stripe_webhook": "Stripe's webhook, verified by Stripe's signature",
    # The partner API's description and its reference page: no tenant data in them.
    "api_docs.openapi_json": "the partner API's OpenAPI document, generated from the code",
    "api_docs.reference": "the partner API's reference page (ReDoc)",
}

# The partner API (app/api/): every endpoint authenticates by bearer API key and never by a
# session cookie, so it needs no CSRF token (a browser cannot add the key to a forged request)
# and without a key answers 401. Tenant isolation through keys (another tenant's id -> 404, a read
# key cannot write, a revoked key -> 401) is checked in tests/integration/api/test_isolation.py:
# the checks here sign in with sessions, which the API does not accept.
API_ENDPOINTS: tuple[str, ...] = (
    "api_catalog.list_products", "api_catalog.list_plans", "api_catalog.get_plan",
    "api_subscriptions.list_subscriptions", "api_subscriptions.get_subscription",
    "api_subscriptions.preview_subscription_change", "api_subscriptions.confirm_subscription_change",
    "api_subscriptions.cancel", "api_subscriptions.resume",
    "api_orders.quote", "api_orders.place", "api_orders.list_orders", "api_orders.get_order",
    "api_customers.list_customers", "api_customers.create_customer", "api_customers.get_customer",
    "api_customers.invite_administrator",
    "api_invoices.list_invoices", "api_invoices.get_invoice", "api_invoices.invoice_pdf",
    "api_fulfillment.get_fulfillment_request", "api_fulfillment.answer",
    "api_events.list_events", "api_reconciliation.reconciliation",
)
API_WITH_IDS = {
    "api_catalog.get_plan", "api_subscriptions.get_subscription", "api_subscriptions.preview_subscription_change",
    "api_subscriptions.confirm_subscription_change", "api_subscriptions.cancel", "api_subscriptions.resume",
    "api_orders.get_order", "api_customers.get_customer", "api_customers.invite_administrator",
    "api_invoices.get_invoice", "api_invoices.invoice_pdf", "api_fulfillment.get_fulfillment_request",
    "api_fulfillment.answer",
}

# State-changing routes allowed to accept a request without a CSRF token, with the reason.
# Nothing else is: a browser form of this site always carries the token.
CSRF_EXEMPT: dict[str, str] = {
    "/vendor/callback/<>": "a vendor's server posts it; verified by an HMAC signature instead (issue 4)",
    "payments.stripe_webhook": "Stripe's servers post it; verified by Stripe's signature, it cannot carry our token",
    **{endpoint: "partner API: bearer API key, never a session cookie" for endpoint in API_ENDPOINTS},
}


@dataclass
class TenantCase:
    """An object of one tenant, reached through ``values`` in the URL: its ``owner`` must find it,
    every one of ``intruders`` (users of other tenants) must get 404."""

    values: dict
    owner: object
    intruders: list = field(default_factory=list)


def customer_owned(world, **values) -> TenantCase:
    """An object of world.customer: its sibling customer, another reseller's customer and another
    reseller must all get 404."""
    users = world.users
    return TenantCase(values, users.customer, [users.second_customer, users.foreign_customer, users.other_reseller])


def reseller_owned(world, **values) -> TenantCase:
    """An object of world.reseller (or one it sells to): another reseller and a customer of
    another reseller must get 404."""
    users = world.users
    return TenantCase(values, users.reseller, [users.other_reseller, users.foreign_customer])


def staff_only(world, **values) -> TenantCase:
    """A back-office object: only distributor staff find it; resellers and customers get 404."""
    users = world.users
    return TenantCase(values, users.staff, [users.reseller, users.customer])


# Endpoint (or blanked path) -> builder(world) -> TenantCase. Every route with an argument that is
# not in PUBLIC_VALUES or NOT_TENANT_SCOPED must be here; the builder creates the object (with
# tests/factories.py) and says whose it is. Example for an order page of issue 3:
#   "orders.detail": lambda world: customer_owned(world, order_id=make_order(world.customer).id),
def _cart_line_of(world, user):
    """A line in ``user``'s stored cart; cart lines are per user, so everyone else gets 404."""
    from app.cart.models import Cart, CartLine
    from app.extensions import db

    term = next(term for term in world.customer_plan.terms if term.code == "monthly")
    cart = db.session.query(Cart).filter_by(user_id=user.id).one_or_none() or Cart(user_id=user.id, marketplace_id=world.us.id)
    line = CartLine(cart=cart, plan_term_id=term.id, quantities={"seats": 5}, beneficiary={"kind": "self"})
    db.session.add_all([cart, line])
    db.session.flush()
    return str(line.id)


def _user_owned_cart_line(world) -> TenantCase:
    users = world.users
    return TenantCase({"entry_id": _cart_line_of(world, users.customer)}, users.customer,
                      [users.second_customer, users.foreign_customer, users.reseller])


def _order_of_customer(world) -> TenantCase:
    from tests.factories import make_order

    return customer_owned(world, number=make_order(world.customer, placed_by=world.users.customer).number)


def _card_payment_of_customer(world) -> TenantCase:
    """A paid card order of world.customer (its 3-D Secure page sends the owner back to the order)."""
    from app.extensions import db
    from app.payments.models import Payment
    from tests.factories import make_order

    order = make_order(world.customer, placed_by=world.users.customer, total=1000)
    db.session.add(Payment(order_id=order.id, amount=1000, currency=order.currency, status="succeeded"))
    db.session.flush()
    return customer_owned(world, order_id=order.id)


def _card_order_awaiting_payment(world) -> TenantCase:
    """A card order of world.customer not paid yet: its pay page is for its own admins only."""
    from tests.factories import make_order

    order = make_order(world.customer, placed_by=world.users.customer, total=1000)
    order.payment_method, order.payment_status = "card", "failed"
    return customer_owned(world, number=order.number)


def _invoice_of_customer(world) -> TenantCase:
    """An invoice world.customer pays (its reseller, which issued it, may see it too)."""
    from tests.factories import make_invoice

    return customer_owned(world, number=make_invoice(world.customer, (1000,)).number)


def _invoice_of_reseller(world) -> TenantCase:
    from tests.factories import make_invoice

    return reseller_owned(world, number=make_invoice(world.reseller, (1000,)).number)


def _invoice_issued_by_distributor(world) -> TenantCase:
    """An open on-account invoice the distributor issued to world.reseller: staff settle it."""
    from tests.factories import make_invoice

    return staff_only(world, invoice_id=make_invoice(world.reseller, (1000,)).id)


def _ordering_parameter(world) -> TenantCase:
    from app.catalog.models import OrderingParameter
    from app.extensions import db
    from tests.factories import unique

    parameter = OrderingParameter(product=world.product, key=unique("domain").replace("-", "_"), label="Domain", kind="domain")
    db.session.add(parameter)
    db.session.flush()
    return staff_only(world, parameter_id=parameter.id)


def _outbox_message(world) -> int:
    """A message to world.customer's administrator in the outbox (staff read it; no one else)."""
    from app.core.clock import current_now
    from app.mail.outbox import queue_plain

    return queue_plain("new_subscription", world.users.customer.email, "Ready", "Your subscription is ready.", context=None,
                       now=current_now())


def _fulfillment_request(world):
    """A customer's order handed to provisioning: its one fulfillment request."""
    from app.extensions import db
    from app.provisioning.handoff import hand_off
    from tests.factories import make_order

    order = make_order(world.customer, [{"plan": world.customer_plan}], placed_by=world.users.customer)
    (request,) = hand_off(order)
    db.session.flush()
    return request


def _subscription_of_customer(world) -> TenantCase:
    """An active subscription of world.customer, paid by its reseller (both may open it)."""
    from app.core.clock import current_now
    from app.extensions import db
    from app.plans.lifecycle import activate
    from app.plans.models import Subscription, SubscriptionResource

    term = world.customer_plan.terms[0]
    subscription = Subscription(owner_id=world.customer.id, payer_id=world.reseller.id, plan_id=world.customer_plan.id,
                                plan_term_id=term.id, marketplace_id=world.us.id, currency="USD",
                                resources=[SubscriptionResource(resource_id=world.seats.id, quantity=8)])
    db.session.add(subscription)
    db.session.flush()
    activate(subscription.id, current_now())
    return customer_owned(world, subscription_id=subscription.id)


def _subscription_sold_by_reseller(world) -> TenantCase:
    """world.customer's subscription seen from the reseller panel: its reseller finds it; another
    reseller and that reseller's customer get 404."""
    return reseller_owned(world, **_subscription_of_customer(world).values)


def _subscription_for_staff(world) -> TenantCase:
    return staff_only(world, **_subscription_of_customer(world).values)


def _seat_of_customer(world) -> TenantCase:
    """A seat of world.customer's subscription assigned to its administrator."""
    from app.core.clock import current_now
    from app.plans.seats import assign_seat

    case = _subscription_of_customer(world)
    assigned = assign_seat(case.values["subscription_id"], world.users.customer.email, world.users.customer, current_now())
    return customer_owned(world, assignment_id=assigned.assignment.id, **case.values)


def _user_of_customer(world) -> TenantCase:
    """A user of world.customer invited and not yet active (its resend, revoke, role and removal)."""
    from app.accounts.members import invite_member
    from app.core.clock import current_now
    from tests.factories import unique

    invitation = invite_member(world.customer, f"{unique('invited')}@customer-a.test", "member", current_now())
    return customer_owned(world, user_id=invitation.user.id)


def _user_of_reseller(world) -> TenantCase:
    """A user of world.reseller invited and not yet active (the reseller panel's users page)."""
    from app.accounts.members import invite_member
    from app.core.clock import current_now
    from tests.factories import unique

    invitation = invite_member(world.reseller, f"{unique('invited')}@reseller.test", "member", current_now())
    return reseller_owned(world, user_id=invitation.user.id)


def _customer_invitation_from_reseller(world) -> TenantCase:
    """An administrator of world.customer invited by its reseller, from the customer's page."""
    from app.accounts.members import invite_member
    from app.core.clock import current_now
    from tests.factories import unique

    invitation = invite_member(world.customer, f"{unique('invited')}@customer-a.test", "admin", current_now())
    return reseller_owned(world, customer_id=world.customer.id, user_id=invitation.user.id)
def _customer_of_reseller_with_plan(world) -> TenantCase:
    """world.customer seen from its reseller's panel, with a plan for customers to order."""
    return reseller_owned(world, customer_id=world.customer.id, plan_id=world.customer_plan.id)


def _order_of_customer_for_its_reseller(world) -> TenantCase:
    """An order of world.customer in its reseller's panel: another reseller gets 404."""
    from tests.factories import make_order

    number = make_order(world.customer, placed_by=world.users.customer).number
    return reseller_owned(world, customer_id=world.customer.id, number=number)
def _scheduled_price_of_reseller(world) -> TenantCase:
    """A customer price world.reseller scheduled for next month (it may withdraw it; no one else)."""
    from datetime import timedelta

    from app.catalog.models import PlanTermPrice
    from app.core.clock import current_now
    from app.extensions import db
    from tests.factories import price_list

    row = PlanTermPrice(price_list=price_list(world.reseller, world.us), plan_term=world.customer_plan.terms[0],
                        effective_from=current_now() + timedelta(days=30), amount=1234)
    db.session.add(row)
    db.session.flush()
    return reseller_owned(world, kind="plan", row_id=row.id)


def _distributor_list(world) -> int:
    from tests.factories import price_list

    return price_list(world.distributor, world.us).id


def _price_list_version(world) -> int:
    """A draft version of the distributor's US price list (staff only)."""
    from app.catalog.price_versions import create_draft
    from app.core.clock import current_now
    from tests.factories import price_list

    return create_draft(price_list(world.distributor, world.us), name="Next", actor=world.users.staff, now=current_now()).id
def _api_key_of(world, user) -> int:
    """An API key of ``user``'s organisation (its revoke button is for that organisation only)."""
    from app.api.keys import create_key
    from app.core.clock import current_now

    return create_key(user.organisation, "PSA", "read", user, current_now()).key.id

def _webhook_endpoint(world, organisation, user):
    """An enabled webhook endpoint of ``organisation`` with one delivery (of a test event)."""
    from app.core.clock import current_now
    from app.webhooks.endpoints import register_endpoint, send_test_event

    endpoint = register_endpoint(organisation, "http://127.0.0.1:9/hooks", ["order.placed"], "", user=user, now=current_now())
    delivery = send_test_event(organisation, endpoint.id, current_now())
    return {"endpoint_id": endpoint.id, "delivery_id": delivery.id}


def _customer_webhook(world, with_delivery: bool = False) -> TenantCase:
    values = _webhook_endpoint(world, world.customer, world.users.customer)
    return customer_owned(world, **(values if with_delivery else {"endpoint_id": values["endpoint_id"]}))


def _reseller_webhook(world, with_delivery: bool = False) -> TenantCase:
    values = _webhook_endpoint(world, world.reseller, world.users.reseller)
    return reseller_owned(world, **(values if with_delivery else {"endpoint_id": values["endpoint_id"]}))


# The webhook pages each buying panel shows (app/control_panel/webhook_views.py), by endpoint id.
WEBHOOK_VIEWS = ("webhook", "enable_webhook", "disable_webhook", "delete_webhook", "test_webhook")

# The subscription pages each panel shows (app/control_panel/subscription_views.py).
SUBSCRIPTION_VIEWS = ("subscription", "change_subscription", "cancel_subscription", "resume_subscription",
                      "withdraw_decrease", "subscription_provisioning")

TENANT_CASES: dict[str, Callable] = {
    **{f"customer.{view}": _subscription_of_customer for view in SUBSCRIPTION_VIEWS},
    **{f"reseller.{view}": _subscription_sold_by_reseller for view in SUBSCRIPTION_VIEWS},
    **{f"back_office.{view}": _subscription_for_staff for view in SUBSCRIPTION_VIEWS},
    "control_panel.subscription": _subscription_of_customer,  # the old address, redirecting to the panel
    "customer.seats_page": _subscription_of_customer,
    "customer.assign_seat": _subscription_of_customer,
    "customer.unassign_seat": _seat_of_customer,
    **{f"customer.{view}": _user_of_customer for view in ("resend_invitation", "revoke_invitation", "change_role",
                                                          "remove_user")},
    "orders.detail": _order_of_customer,
    "customer.order": _order_of_customer,
    **{f"customer.{view}": _invoice_of_customer
       for view in ("invoice", "invoice_pdf", "pay_invoice", "authenticate_invoice", "invoice_authenticated")},
    "orders.pay": _card_order_awaiting_payment,
    "orders.pay_submit": _card_order_awaiting_payment,
    # The reseller panel's invoice pages (the panels' shared invoice views): its own invoices.
    **{f"reseller.{view}": _invoice_of_reseller
       for view in ("invoice", "invoice_pdf", "pay_invoice", "authenticate_invoice", "invoice_authenticated")},
    "billing.invoice": _invoice_of_customer,
    "billing.invoice_pdf": _invoice_of_reseller,
    "payments.authenticate": _card_payment_of_customer,
    "payments.authenticated": _card_payment_of_customer,
    "cart.edit_line": _user_owned_cart_line,
    "cart.update_quantities": _user_owned_cart_line,
    "cart.remove": _user_owned_cart_line,
    "back_office.outbox_message": lambda world: staff_only(world, message_id=_outbox_message(world)),
    "back_office.outbox_message_html": lambda world: staff_only(world, message_id=_outbox_message(world)),
    "provisioning.order_progress": lambda world: customer_owned(world, number=_fulfillment_request(world).order.number),
    "provisioning.answer": lambda world: customer_owned(world, request_id=_fulfillment_request(world).id),
    **{f"back_office.{view}": _invoice_issued_by_distributor for view in ("settle_invoice", "mark_invoice_paid",
                                                                          "void_invoice")},
    # The distributor's catalog: only staff find its edit pages.
    **{f"back_office.{view}": lambda world: staff_only(world, product_id=world.product.id)
       for view in ("catalog_product", "publish_product", "new_plan", "new_parameter")},
    **{f"back_office.{view}": lambda world: staff_only(world, plan_id=world.customer_plan.id)
       for view in ("catalog_plan", "publish_plan", "add_plan_term", "set_plan_resource")},
    **{f"back_office.{view}": _ordering_parameter for view in ("catalog_parameter", "delete_parameter")},
    "back_office.retry": lambda world: staff_only(world, request_id=_fulfillment_request(world).id),
    "back_office.complete": lambda world: staff_only(world, request_id=_fulfillment_request(world).id),
    "back_office.answer_for_buyer_view": lambda world: staff_only(world, request_id=_fulfillment_request(world).id),
    # Ordering for one of the reseller's customers (app/control_panel/reseller/buying.py).
    **{f"reseller.{view}": _customer_of_reseller_with_plan
       for view in ("new_customer_order", "new_customer_order_plan", "new_customer_order_place")},
    "reseller.customer_order": _order_of_customer_for_its_reseller,
    "reseller.customer_order_progress": _order_of_customer_for_its_reseller,
    # Organisations in the back office: staff only, whichever organisation it is.
    **{f"back_office.{view}": lambda world: staff_only(world, organisation_id=world.customer.id)
       for view in ("organisation", "organisation_children", "organisation_reselling", "organisation_account_terms",
                    "organisation_storefront_plan")},
    "reseller.revoke_api_key": lambda world: reseller_owned(world, key_id=_api_key_of(world, world.users.reseller)),
    "customer.revoke_api_key": lambda world: customer_owned(world, key_id=_api_key_of(world, world.users.customer)),
    **{f"customer.{view}": _customer_webhook for view in WEBHOOK_VIEWS},
    **{f"reseller.{view}": _reseller_webhook for view in WEBHOOK_VIEWS},
    "customer.redeliver_webhook": lambda world: _customer_webhook(world, with_delivery=True),
    "reseller.redeliver_webhook": lambda world: _reseller_webhook(world, with_delivery=True),
    # Support access: only the customer's own reseller may open its panel.
    "reseller.start_support_session": lambda world: reseller_owned(world, customer_id=world.customer.id),
    # The reseller's customer pages and the invitations it sends for its customer.
    **{f"reseller.{view}": (lambda world: reseller_owned(world, customer_id=world.customer.id))
       for view in ("customer", "customer_orders", "customer_users", "customer_invoices", "invite_customer_admins")},
    "reseller.resend_customer_invitation": _customer_invitation_from_reseller,
    "reseller.revoke_customer_invitation": _customer_invitation_from_reseller,
    # The reseller's own users (the same pages as the customer panel's).
    **{f"reseller.{view}": _user_of_reseller for view in ("resend_invitation", "revoke_invitation", "change_role",
                                                          "remove_user")},
    # The distributor's price lists and their versions: staff only.
    "back_office.new_price_list_version": lambda world: staff_only(world, list_id=_distributor_list(world)),
    **{f"back_office.{view}": lambda world: staff_only(world, version_id=_price_list_version(world))
       for view in ("price_list_version", "schedule_price_list_version", "withdraw_price_list_version",
                    "import_price_list_version", "export_price_list_version")},
    # A reseller's scheduled customer price: only its own reseller withdraws it.
    "reseller.withdraw_price": _scheduled_price_of_reseller,
}



@dataclass(frozen=True)
class Panel:
    """Who may use the pages under a panel's path: ``reads`` (GET) and ``writes`` (every other
    method), each a predicate on a signed-in user. Anyone else must get 404 from every route
    under the path (the panel does not exist for them); a user who reads but may not write
    must get 403 on the other methods."""

    name: str
    reads: Callable
    writes: Callable


def _reseller_reads(user) -> bool:
    return user.organisation.acts_as_reseller


def _buyer_reads(user) -> bool:
    return not user.organisation.is_distributor


def _staff(user) -> bool:
    return user.organisation.is_distributor


# Path prefix -> the panel's audience. Every route under one of these paths is checked, whatever
# its blueprint: a panel route that forgets its role guard fails the suite.
PANELS: dict[str, Panel] = {
    "/reseller/": Panel("reseller panel", _reseller_reads, lambda user: _reseller_reads(user) and user.is_admin),
    "/customer/": Panel("customer panel", _buyer_reads, lambda user: _buyer_reads(user) and user.is_admin),
    "/staff/": Panel("back office", _staff, _staff),  # any staff user may retry provisioning
}


def _open_storefront(world) -> dict:
    """world.reseller's open Standard storefront with a logo (made once per world)."""
    from app.accounts.models import Storefront
    from app.extensions import db
    from tests.factories import make_storefront

    storefront = db.session.query(Storefront).filter_by(organisation_id=world.reseller.id).one_or_none()
    if storefront is None:
        storefront = make_storefront(world.reseller, slug="reseller-one", logo=b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
                                     logo_content_type="image/png", contact_email="shop@reseller.test")
        db.session.commit()
    return {"shop": storefront.slug}


# Public routes with arguments: the values the checks use to reach a real page.
PUBLIC_VALUES: dict[str, Callable] = {
    "white_label.home": _open_storefront,
    "white_label.browse": lambda world: {**_open_storefront(world), "slug": world.category.slug},
    "white_label.product": lambda world: {**_open_storefront(world), "slug": world.product.slug},
    "white_label.logo": _open_storefront,
    "white_label.theme": _open_storefront,
    "white_label.sign_up": _open_storefront,
    "static": lambda world: {"filename": "css/app.css"},
    "catalog.browse": lambda world: {"slug": world.category.slug},
    "catalog.product": lambda world: {"slug": world.product.slug},
}

# Routes with arguments that are not tenant data, with the reason.
NOT_TENANT_SCOPED: dict[str, str] = {
    "static": "file names, not tenant data",
    "catalog.browse": "public category slugs",
    "catalog.product": "public product slugs",
    "/s/<>/": "a public storefront slug",
    "/s/<>/catalog/": "a public storefront slug",
    "/s/<>/catalog/<>/": "a public storefront slug and category slug",
    "/s/<>/products/<>": "a public storefront slug and product slug",
    "/s/<>/logo": "a public storefront slug",
    "/s/<>/theme.css": "a public storefront slug",
    "/s/<>/sign-up": "a public storefront slug",
    "/vendor/callback/<>": "addressed to a fulfilment request by the vendor, verified by signature",
    "accounts.accept": "a signed, expiring invitation token naming one user, not an id to guess",
    "onboarding.reset_password": "a signed, single-use, expiring reset token naming one user, not an id to guess",
    "onboarding.verify_email": "a signed, expiring verification token naming one user, not an id to guess",
    "back_office.requeue_job": "a queue name and an RQ job id on the staff-only queue page; jobs are not tenant data",
    "customer.marketplace_plan": "catalog plan ids: the plans for customers, the same for every buyer (at its own prices)",
    "customer.marketplace_order": "catalog plan ids; the order is its buyer's, written by the checkout service",
    "reseller.marketplace_plan": "catalog plan ids: the plans for resellers, the same for every reseller (at its own cost)",
    "reseller.marketplace_order": "catalog plan ids; the order is the signed-in reseller's, written by the checkout service",
    "reseller.new_subscription_plan": "catalog plan ids: the plans for customers; the recipient is checked by the checkout's validation",
    "reseller.new_subscription_order": "catalog plan ids; the order is the signed-in reseller's, its recipient checked by the checkout",
    **{endpoint: "partner API: bearer-key auth only; isolation checked in tests/integration/api/test_isolation.py"
       for endpoint in API_WITH_IDS},
}


def blanked(rule_text: str) -> str:
    return re.sub(r"<[^>]*>", "<>", rule_text)


def lookup(table: dict, rule):
    """The entry of ``table`` for a werkzeug rule, by endpoint or by blanked path; else None."""
    if rule.endpoint in table:
        return table[rule.endpoint]
    return table.get(blanked(rule.rule))


def is_listed(table: dict, rule) -> bool:
    return rule.endpoint in table or blanked(rule.rule) in table

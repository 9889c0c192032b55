"""What ``make bench`` measures. Add a page by adding a ``Target``; a target whose path answers
404 in this build (a feature not merged yet) is reported as skipped, not failed.

``user`` is a demo login (password ``DEMO_PASSWORD``); the harness signs in once through the
sign-in form and hands the session cookie to wrk. ``steps`` make a path of several requests that
each wrk connection cycles through (e.g. add to cart, then the checkout page); form fields of a
POST step get the session's CSRF token added. ``{product}`` in a path is the typical product's
slug, ``{plan_term}`` one of its customer plan term ids, ``{reseller_plan_term}`` one of its
reseller plan term ids, ``{customer_subscription}`` an active subscription of the demo's Customer A,
``{reseller_customer}`` Customer A's id (a customer of the demo reseller).

A step with ``read_form`` keeps the fields of the page's POST form that the next step with
``send_form`` submits (to the same path, or to the form's ``action``): hidden fields, every
checkbox ticked, the checked radio buttons; so a checkout posts the fingerprint and
idempotency key of the summary it was shown, as a browser would. ``buyer_per_connection``: each
connection signs in as its own buyer (``bench.seed.bench_buyer(n)``, admins of ``user``'s
organisation), so that every connection has its own cart. ``setup`` steps run once, before the
measurement, for the target's session (e.g. a line in the cart the cart page shows).
"""
from __future__ import annotations

from dataclasses import dataclass, field

RESELLER = "admin@reseller-one.example"
CUSTOMER = "admin@customer-a.example"
STAFF = "staff@distributor.example"


@dataclass(frozen=True)
class Step:
    path: str
    method: str = "GET"
    form: dict = field(default_factory=dict)
    read_form: bool = False
    send_form: bool = False
    # The partner API: sent with "Authorization: Bearer" and the bench's API key (of the
    # reseller), ``json_body`` names a JSON body the harness prepares (``bench.run.api_data``).
    api: bool = False
    json_body: str = ""
    bearer: str = ""  # filled in by the harness for ``api`` steps


@dataclass(frozen=True)
class Target:
    name: str
    steps: tuple[Step, ...]
    user: str | None = None
    p99_budget_ms: float | None = None
    floor_share: float | None = None  # minimum req/s as a share of the floor's
    setup: tuple[Step, ...] = ()
    buyer_per_connection: bool = False
    connections: int | None = None  # the run's (BENCH_CONNECTIONS) unless set


def page(name: str, path: str, **options) -> Target:
    return Target(name, (Step(path),), **options)


STOREFRONT = dict(p99_budget_ms=50, floor_share=0.6)

TARGETS: list[Target] = [
    page("catalog (anonymous)", "/catalog/", **STOREFRONT),
    page("catalog page 20 (anonymous)", "/catalog/?page=20", **STOREFRONT),
    page("catalog search", "/catalog/?q=suite+05", **STOREFRONT),
    page("catalog (reseller)", "/catalog/", user=RESELLER, **STOREFRONT),
    page("product page (anonymous)", "/products/{product}", **STOREFRONT),
    page("product page (customer of reseller)", "/products/{product}", user=CUSTOMER, **STOREFRONT),
    page("home", "/", **STOREFRONT),
    page("cart page", "/cart", user=CUSTOMER, p99_budget_ms=150,
         setup=(Step("/cart/add", "POST", {"plan_term_id": "{plan_term}", "qty-generic-users": "10"}),)),
    # Each connection's buyer adds a line, reads the order summary and places the order on
    # account (the bench seed gives the reseller a large credit limit): the cart is emptied by
    # every order, so it never grows.
    Target("add to cart + checkout", (
        Step("/cart/add", "POST", {"plan_term_id": "{reseller_plan_term}"}),
        Step("/checkout", read_form=True),
        Step("/checkout", "POST", send_form=True),
    ), user=RESELLER, buyer_per_connection=True, p99_budget_ms=150),
    # The customer panel (admin of the demo's Customer A, 60 subscriptions of the 20,000): the
    # paginated list, and the change-resource-limits form of one subscription.
    page("panel: customer subscriptions", "/customer/subscriptions", user=CUSTOMER, p99_budget_ms=100),
    page("panel: customer change resource limits", "/customer/subscriptions/{customer_subscription}/change", user=CUSTOMER,
         p99_budget_ms=100),
    # The reseller panel's home (its 5,000 customers' 20,000 subscriptions): the first page with
    # the cards and the chart; a filtered, sorted later page; the CSV export of every row.
    page("panel: reseller home", "/reseller/", user=RESELLER, p99_budget_ms=150),
    page("panel: reseller home filtered + sorted", "/reseller/?status=active&q=customer+01&sort=margin&order=desc&page=3",
         user=RESELLER, p99_budget_ms=150),
    # One download at a time: each is about 0.6 s of CPU, so 16 at once pass wrk's 5 s time-out.
    page("panel: reseller subscriptions CSV (20,000 rows, 1 connection)", "/reseller/subscriptions/export.csv", user=RESELLER,
         connections=1),
    page("panel: reseller customers (5,000)", "/reseller/customers", user=RESELLER, p99_budget_ms=100),
    page("panel: reseller customers searched", "/reseller/customers?q=customer+04&sort=name&page=2", user=RESELLER,
         p99_budget_ms=100),
    # The partner API (issue 14) with a key of Reseller One (20,000 subscriptions in its scope):
    # one page of its subscriptions, and an order placed on account (the quoted body, a new
    # order each time).
    Target("api: list subscriptions (20,000 in scope)", (Step("/api/v1/subscriptions?limit=100", api=True),),
           p99_budget_ms=150),
    Target("api: place an order", (Step("/api/v1/orders", "POST", api=True, json_body="api_order_body"),),
           p99_budget_ms=200),
    # Other pages the panels' users open often: a customer's page in the reseller panel (Customer
    # A: 60 subscriptions), the reseller's invoices (one per order of its 20,000 subscriptions)
    # and its own subscriptions, the customer panel's orders and invoices.
    page("panel: reseller customer page", "/reseller/customers/{reseller_customer}", user=RESELLER, p99_budget_ms=100),
    page("panel: reseller invoices (20,000)", "/reseller/invoices", user=RESELLER, p99_budget_ms=100),
    page("panel: reseller own subscriptions", "/reseller/subscriptions", user=RESELLER, p99_budget_ms=100),
    page("panel: customer orders", "/customer/orders", user=CUSTOMER, p99_budget_ms=100),
    page("panel: customer invoices", "/customer/invoices", user=CUSTOMER, p99_budget_ms=100),
    # The back office's lists at the book's size (5,000 customers; 20,000 subscriptions, each
    # with its order, invoice, fulfillment request and mail): first pages, a search, a deep page.
    page("staff: home", "/staff/", user=STAFF),
    page("staff: organisations (5,000)", "/staff/organisations", user=STAFF),
    page("staff: organisations searched", "/staff/organisations?q=customer+04", user=STAFF),
    page("staff: orders (20,000)", "/staff/orders", user=STAFF),
    page("staff: orders page 300", "/staff/orders?page=300", user=STAFF),
    page("staff: provisioning queue", "/staff/provisioning", user=STAFF),
    page("staff: provisioning requests completed", "/staff/provisioning?state=completed", user=STAFF),
    page("staff: invoices (20,000)", "/staff/invoices", user=STAFF),
    page("staff: outbox (20,000)", "/staff/outbox", user=STAFF),
    page("staff: subscriptions (20,000)", "/staff/subscriptions", user=STAFF),
]

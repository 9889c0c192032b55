"""Buying in the reseller panel, each a flow of the panels' ordering component
(``app.control_panel.ordering``) through the one checkout:

- **Buy more services** (seed 004 option 2): the plans for resellers, for its own use, at its cost;
- **Add new order** for one of its customers (seed 004 option 3): the plans for customers, placed
  on the customer's behalf at the reseller's customer prices, so the order is the customer's
  (its panel lists it); paid on account;
- **Create subscription** (seed 001): a plan for customers, paid by the reseller at its cost,
  for a single-user plan's end user, a new customer or one of its customers.

Members see every page; their writes are refused by the panel's guard.
"""
from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user

from app.accounts.access import TenantScope
from app.accounts.models import Organisation, OrganisationKind
from app.catalog.context import current_marketplace
from app.catalog.models import Audience
from app.catalog.reference import all_marketplaces
from app.control_panel import ordering
from app.control_panel.reseller import bp
from app.control_panel.reseller.recipients import for_reseller
from app.orders.queries import invoices_of, order_bought_by


def _marketplace_of(organisation):
    return all_marketplaces().by_id.get(organisation.marketplace_id) or current_marketplace()


def _own_flow() -> ordering.OrderingFlow:
    reseller = current_user.organisation
    return ordering.OrderingFlow(
        buyer=reseller, marketplace=_marketplace_of(reseller), audience=Audience.RESELLER.value, title="Buy more services",
        intro=f"Services for {reseller.name}'s own use, at your cost. Choose a plan, then its period and additional resources.",
        endpoints={"plans": "reseller.marketplace", "plan": "reseller.marketplace_plan", "order": "reseller.marketplace_order",
                   "placed": "orders.detail"},
        crumbs=(("My subscriptions", url_for("reseller.subscriptions")),))


def _customer(customer_id: int) -> Organisation:
    """One of the signed-in reseller's customers, else 404 (another reseller's is not found)."""
    customer = TenantScope(current_user.organisation, customers=False, staff_sees_all=False).get_or_404(
        Organisation, customer_id, owner_column=Organisation.parent_id)
    if customer.kind != OrganisationKind.CUSTOMER.value:
        abort(404)
    return customer


def _customer_flow(customer_id: int) -> ordering.OrderingFlow:
    customer = _customer(customer_id)
    return ordering.OrderingFlow(
        buyer=customer, marketplace=_marketplace_of(customer), audience=Audience.CUSTOMER.value, title="Add new order",
        intro=f"An order for {customer.name}, at your customer prices, billed to {customer.name} on account.",
        endpoints={"plans": "reseller.new_customer_order", "plan": "reseller.new_customer_order_plan",
                   "order": "reseller.new_customer_order_place", "placed": "reseller.customer_order"},
        url_values={"customer_id": customer.id}, on_behalf=True,
        crumbs=(("Customers", url_for("reseller.customers")), (customer.name, url_for("reseller.customer", customer_id=customer.id))))


def _subscription_flow() -> ordering.OrderingFlow:
    reseller = current_user.organisation
    return ordering.OrderingFlow(
        buyer=reseller, marketplace=_marketplace_of(reseller), audience=Audience.CUSTOMER.value, title="Create subscription",
        intro="A subscription for a customer, paid by you at your cost: choose the plan, then its billing cycle and recipient.",
        endpoints={"plans": "reseller.new_subscription", "plan": "reseller.new_subscription_plan",
                   "order": "reseller.new_subscription_order", "placed": "orders.detail"},
        recipient=for_reseller(reseller), show_customer_price=True,
        crumbs=(("Subscriptions", url_for("reseller.subscriptions")),))


@bp.get("/marketplace")
def marketplace():
    return ordering.show_plans(_own_flow())


@bp.get("/marketplace/plans/<int:plan_id>")
def marketplace_plan(plan_id: int):
    return ordering.show_plan(_own_flow(), plan_id)


@bp.route("/marketplace/plans/<int:plan_id>/order", methods=["GET", "POST"])
def marketplace_order(plan_id: int):
    return ordering.order(_own_flow(), plan_id)


@bp.get("/customers/<int:customer_id>/orders/new")
def new_customer_order(customer_id: int):
    return ordering.show_plans(_customer_flow(customer_id))


@bp.get("/customers/<int:customer_id>/orders/new/plans/<int:plan_id>")
def new_customer_order_plan(customer_id: int, plan_id: int):
    return ordering.show_plan(_customer_flow(customer_id), plan_id)


@bp.route("/customers/<int:customer_id>/orders/new/plans/<int:plan_id>/order", methods=["GET", "POST"])
def new_customer_order_place(customer_id: int, plan_id: int):
    return ordering.order(_customer_flow(customer_id), plan_id)


@bp.get("/customers/<int:customer_id>/orders/<number>")
def customer_order(customer_id: int, number: str):
    """A customer's order with its provisioning status, live while a line runs."""
    customer = _customer(customer_id)
    found = order_bought_by(number, customer)
    if found is None:
        abort(404)
    return render_template("control_panel/reseller/ordering/order.html", order=found, customer=customer,
                           invoices=invoices_of(found))


@bp.get("/customers/<int:customer_id>/orders/<number>/progress")
def customer_order_progress(customer_id: int, number: str):
    """The live progress fragment the customer's order page polls (htmx)."""
    found = order_bought_by(number, _customer(customer_id))
    if found is None:
        abort(404)
    return render_template("provisioning/_order_progress.html", order=found, refresh_header=True, answers_here=False,
                           progress_url=url_for("reseller.customer_order_progress", customer_id=customer_id, number=number))


@bp.get("/subscriptions/new")
def new_subscription():
    return ordering.show_plans(_subscription_flow())


@bp.get("/subscriptions/new/plans/<int:plan_id>")
def new_subscription_plan(plan_id: int):
    return ordering.show_plan(_subscription_flow(), plan_id)


@bp.route("/subscriptions/new/plans/<int:plan_id>/order", methods=["GET", "POST"])
def new_subscription_order(plan_id: int):
    return ordering.order(_subscription_flow(), plan_id)

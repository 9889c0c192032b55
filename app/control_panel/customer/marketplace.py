"""The customer panel's Marketplace tab: plans for customers at the buyer's own prices, by
category; a plan -> its period, resources and ordering parameters -> the summary (the
checkout's quote, who pays and how) -> the order, placed by the one checkout service, then its
provisioning status. The pages after the list are the panels' ordering component
(``app.control_panel.ordering``)."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.accounts.access import acting_organisation
from app.catalog.context import current_marketplace
from app.catalog.models import Audience
from app.catalog.offers import customer_offers
from app.catalog.reference import all_marketplaces
from app.control_panel import ordering
from app.control_panel.customer import bp


def _marketplace():
    """The buyer's own marketplace (an order is in its currency), else the visitor's region."""
    return all_marketplaces().by_id.get(acting_organisation().marketplace_id) or current_marketplace()


def _flow() -> ordering.OrderingFlow:
    buyer = acting_organisation()
    return ordering.OrderingFlow(
        buyer=buyer, marketplace=_marketplace(), audience=Audience.CUSTOMER.value, title="Marketplace",
        endpoints={"plans": "customer.marketplace", "plan": "customer.marketplace_plan",
                   "order": "customer.marketplace_order", "placed": "customer.order"},
        # its reseller in a support session orders on its behalf: on account, never its card
        on_behalf=buyer.id != current_user.organisation_id)


@bp.get("/marketplace")
def marketplace():
    """The plans for customers by category, each from its first period's price."""
    return render_template("control_panel/customer/marketplace/index.html",
                           groups=customer_offers(acting_organisation(), _marketplace()))


@bp.get("/marketplace/plans/<int:plan_id>")
def marketplace_plan(plan_id: int):
    """Choose the period, the resources and the ordering parameters."""
    return ordering.show_plan(_flow(), plan_id)


@bp.route("/marketplace/plans/<int:plan_id>/order", methods=["GET", "POST"])
def marketplace_order(plan_id: int):
    """GET: the summary of the line chosen; POST: place it, as confirmed."""
    return ordering.order(_flow(), plan_id)

"""The reseller's customers: the list (search, sort, pages; state in the URL), a new customer
account, and a customer's page with its tabs (subscriptions, orders, users, invoices), from
which the reseller invites the customer's administrators. Every customer is looked up through
the reseller's scope (another reseller's customer is 404); the rules are in
``app.accounts.customers`` and ``app.control_panel.team``."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.customers import CustomerRefused, NewCustomer, create_customer
from app.billing.queries import invoices_page
from app.catalog.reference import all_marketplaces
from app.control_panel.forms import ActionForm
from app.control_panel.reseller import bp
from app.control_panel.reseller.customer_pages import TABS, ListState, customer_of, customers_page, totals_of
from app.control_panel.reseller.forms import InviteAdministratorsForm, NewCustomerForm
from app.control_panel.subscription_pages import overview_page
from app.control_panel.team import page_number
from app.core.clock import current_now
from app.extensions import db
from app.orders.queries import customer_orders_page
from app.accounts.members import members_page
from app.plans.models import Subscription

ORDER_ENDPOINT = "reseller.new_customer_order"  # built by the ordering pages; linked once it exists


@bp.get("/customers")
def customers():
    state = ListState.from_args(request.args)
    return render_template("control_panel/reseller/customers/index.html", rows=customers_page(current_user.organisation, state),
                           state=state, form=ActionForm())


def _new_customer_form() -> NewCustomerForm:
    form = NewCustomerForm()
    form.marketplace_id.choices = [(m.id, f"{m.name} ({m.currency})") for m in all_marketplaces().all]
    if request.method == "GET":
        form.marketplace_id.data = current_user.organisation.marketplace_id
    return form


@bp.route("/customers/new", methods=["GET", "POST"])
def new_customer():
    form = _new_customer_form()
    if not form.validate_on_submit():
        return render_template("control_panel/reseller/customers/new.html", form=form), 400 if form.is_submitted() else 200
    details = NewCustomer(**{name: form[name].data for name in NewCustomer.__dataclass_fields__})
    try:
        customer = create_customer(current_user.organisation, details, actor=current_user._get_current_object(),
                                   now=current_now())
        db.session.commit()
    except CustomerRefused as refused:
        db.session.rollback()
        (form[refused.field].errors.append(refused.message) if refused.field in form else flash(refused.message, "danger"))
        return render_template("control_panel/reseller/customers/new.html", form=form), refused.status
    flash(f"{customer.name} is your customer now. Invite its administrators from its Users tab.", "success")
    return redirect(url_for(".customer", customer_id=customer.id))


def _customer_page(customer_id: int, tab: str, **content):
    customer = customer_of(current_user.organisation, customer_id)
    order_url = (url_for(ORDER_ENDPOINT, customer_id=customer.id) if ORDER_ENDPOINT in current_app.view_functions else None)
    return render_template("control_panel/reseller/customers/detail.html", customer=customer, tab=tab, tabs=TABS,
                           totals=totals_of(customer), order_url=order_url, action=ActionForm(),
                           **{key: load(customer) for key, load in content.items()})


@bp.get("/customers/<int:customer_id>")
def customer(customer_id: int):
    return _customer_page(customer_id, "customer",
                          rows=lambda c: overview_page((Subscription.owner_id == c.id,), page_number()))


@bp.get("/customers/<int:customer_id>/orders")
def customer_orders(customer_id: int):
    return _customer_page(customer_id, "customer_orders",
                          rows=lambda c: customer_orders_page(current_user.organisation, c, page_number()))


@bp.get("/customers/<int:customer_id>/invoices")
def customer_invoices(customer_id: int):
    return _customer_page(customer_id, "customer_invoices", rows=lambda c: invoices_page(c, page_number()))


@bp.get("/customers/<int:customer_id>/users")
def customer_users(customer_id: int):
    return customer_users_page(customer_id)


def customer_users_page(customer_id: int, form: InviteAdministratorsForm | None = None, status: int = 200):
    page = _customer_page(customer_id, "customer_users", rows=lambda c: members_page(c, current_now(), page_number()),
                          invite_form=lambda c: form or InviteAdministratorsForm())
    return page, status

"""The reseller's customers: the list (search, sort, pages; state in the URL), a new customer
account, and a customer's page with its tabs (subscriptions, orders, users, invoices), from
which the reseller invites the customer's administrators. Every customer is looked up through
the reseller's scope (another reseller's customer is 404); the rules are in
``app.accounts.customers`` and ``app.control_panel.team``."""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.customers import NewCustomer, create_customer
from app.accounts.members import MemberRefused, members_page
from app.accounts.models import Organisation, Role, User
from app.billing.queries import invoices_page
from app.catalog.reference import all_marketplaces
from app.control_panel.forms import ActionForm
from app.control_panel.reseller import bp
from app.control_panel.reseller.customer_pages import TABS, ListState, customer_of, customers_page, totals_of
from app.control_panel.reseller.forms import InviteAdministratorsForm, NewCustomerForm
from app.control_panel.subscription_pages import overview_page
from app.control_panel.team import page_number, send_invitations
from app.core.clock import current_now
from app.core.errors import Refusal
from app.extensions import db
from app.orders.queries import customer_orders_page
from app.plans.models import Subscription

ORDER_ENDPOINT = "reseller.new_customer_order"  # the ordering pages (buying.py)


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
        customer = create_customer_account(current_user.organisation, details, invite_contact=form.invite_contact.data,
                                           actor=current_user._get_current_object(), now=current_now())
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        field = getattr(refused, "field", None) or ("contact_email" if isinstance(refused, MemberRefused) else None)
        (form[field].errors.append(refused.message) if field in form else flash(refused.message, "danger"))
        return render_template("control_panel/reseller/customers/new.html", form=form), refused.status
    invited = f" The invitation is on its way to {customer.contact_email}." if form.invite_contact.data else ""
    flash(f"{customer.name} is your customer now.{invited}", "success")
    return redirect(url_for(".customer", customer_id=customer.id))


def create_customer_account(reseller: Organisation, details: NewCustomer, *, invite_contact: bool, actor: User,
                            now: datetime) -> Organisation:
    """``create_customer`` and, when asked, its contact invited as its administrator, in the same
    transaction (a refused invitation leaves no customer either). Not committed."""
    customer = create_customer(reseller, details, actor=actor, now=now)
    if invite_contact:
        send_invitations(customer, [customer.contact_email], Role.ADMIN.value, actor, now)
    return customer


def _customer_page(customer_id: int, tab: str, **content):
    customer = customer_of(current_user.organisation, customer_id)
    order_url = url_for(ORDER_ENDPOINT, customer_id=customer.id)
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

from flask import abort, flash, redirect, render_template, request, url_for

from app.cart import bp
from app.cart.context import current_cart
from app.cart.forms import AddToCartForm, CartLineForm, QuantitiesForm, RemoveLineForm
from app.cart.input import beneficiary_choice, read_beneficiary, read_parameters, read_quantities
from app.cart.services import (
    CartFull, OtherMarketplace, add_line, beneficiary_choices, change_quantities, details_needed, own_customers,
    region_notice, replace_line,
)
from app.cart.summary import summarise
from app.catalog.context import current_marketplace, current_organisation
from app.catalog.reference import all_marketplaces
from app.extensions import db
from app.orders.lines import Beneficiary, LineRequest, load_plan_terms
from app.orders.validation import OrderInvalid


@bp.app_context_processor
def cart_context():
    return {"cart_count": lambda: current_cart().count()}


def _marketplace_of(store):
    """The cart's marketplace (a snapshot, ``app.catalog.reference``), else the visitor's."""
    cart_marketplace = all_marketplaces().by_id.get(store.marketplace_id) if store.marketplace_id else None
    return cart_marketplace or current_marketplace()


def _entry_and_term(store, entry_id: str):
    entry = next((e for e in store.entries() if e.id == entry_id), None)
    term = load_plan_terms([entry.request.plan_term_id]).get(entry.request.plan_term_id) if entry else None
    if term is None:
        abort(404)
    return entry, term


@bp.get("/cart")
def show():
    store = current_cart()
    marketplace = _marketplace_of(store)
    summary = summarise(store.entries(), marketplace, current_organisation())
    return render_template("cart/cart.html", summary=summary, cart_marketplace=marketplace,
                           notice=region_notice(store, current_marketplace()),
                           quantities_form=QuantitiesForm(), remove_form=RemoveLineForm())


@bp.post("/cart/add")
def add():
    form = AddToCartForm()
    if not form.validate_on_submit():
        abort(400, "Choose a plan to add to the cart.")
    term = load_plan_terms([int(form.plan_term_id.data)]).get(int(form.plan_term_id.data))
    if term is None:
        abort(404)
    quantities, problems = read_quantities(request.form, term.plan)
    line = LineRequest(term.id, quantities, {}, Beneficiary.self_(), form.postponed_billing.data)
    back = url_for("catalog.product", slug=term.plan.product.slug, audience=term.plan.audience, term=term.code)
    try:
        entry_id, problems = add_line(current_cart(), line, term, current_marketplace(), current_organisation(), problems)
    except OrderInvalid as invalid:
        for problem in invalid.problems:
            flash(problem.message, "danger")
        return redirect(back)
    except (CartFull, OtherMarketplace) as refused:
        flash(refused.message, "warning")
        return redirect(back)
    plan_name, term_name = term.plan.name, term.name  # read before the commit expires them
    db.session.commit()
    if problems:
        flash(f"{plan_name} is in your cart. A few details are still needed for this order.", "info")
        return redirect(url_for("cart.edit_line", entry_id=entry_id))
    flash(f"{plan_name} ({term_name}) is in your cart.", "success")
    return redirect(url_for("cart.show"))


@bp.post("/cart/lines/<entry_id>/quantities")
def update_quantities(entry_id: str):
    store = current_cart()
    entry, term = _entry_and_term(store, entry_id)
    if not QuantitiesForm().validate_on_submit():
        abort(400)
    quantities, problems = read_quantities(request.form, term.plan, entry.request.quantities)
    line = LineRequest(term.id, quantities, entry.request.parameters, entry.request.beneficiary, entry.request.postponed_billing)
    try:
        change_quantities(store, entry_id, line, term, _marketplace_of(store), current_organisation(), problems)
    except OrderInvalid as invalid:
        for problem in invalid.problems:
            flash(problem.message, "danger")
        return redirect(url_for("cart.show"))
    db.session.commit()
    flash("Quantities updated.", "success")
    return redirect(url_for("cart.show"))


@bp.post("/cart/lines/<entry_id>/remove")
def remove(entry_id: str):
    if not RemoveLineForm().validate_on_submit():
        abort(400)
    if not current_cart().remove(entry_id):
        abort(404)
    db.session.commit()
    flash("The line was removed from your cart.", "info")
    return redirect(url_for("cart.show"))


@bp.route("/cart/lines/<entry_id>", methods=["GET", "POST"])
def edit_line(entry_id: str):
    store = current_cart()
    entry, term = _entry_and_term(store, entry_id)
    organisation = current_organisation()
    line, problems = entry.request, []
    form = CartLineForm(data={"beneficiary": beneficiary_choice(line.beneficiary), "postponed_billing": line.postponed_billing,
                              "new_customer_name": line.beneficiary.name, "new_customer_email": line.beneficiary.admin_email})
    form.beneficiary.choices = beneficiary_choices(term.plan, organisation, own_customers(organisation))
    if form.validate_on_submit():
        quantities, problems = read_quantities(request.form, term.plan, line.quantities)
        beneficiary = read_beneficiary(form.beneficiary.data or "", form.new_customer_name.data, form.new_customer_email.data)
        line = LineRequest(term.id, quantities, read_parameters(request.form, term.plan.product), beneficiary, form.postponed_billing.data)
        try:
            replace_line(store, entry_id, line, term, _marketplace_of(store), organisation, problems)
        except OrderInvalid as invalid:
            problems = invalid.problems
        else:
            db.session.commit()
            flash(f"{term.plan.name} is ready to order.", "success")
            return redirect(url_for("cart.show"))
    elif request.method == "GET":
        problems = details_needed(line, term, _marketplace_of(store), organisation)
    problems = [p for p in problems if not _attach_to_field(form, p)]
    return render_template("cart/line.html", form=form, term=term, line=line, problems=problems), 400 if form.is_submitted() else 200


def _attach_to_field(form, problem) -> bool:
    """Shows a problem under the form's own field of that name, if it has one."""
    if problem.field not in CartLineForm.FIELDS:
        return False
    field = form[problem.field]
    field.errors = [*field.errors, problem.message]
    return True

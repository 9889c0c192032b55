"""The back office's plan pages (plan, its terms and resource limits) and a product's ordering
parameters. Rules in ``app.catalog.admin``."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.back_office import bp
from app.back_office.catalog import saved
from app.back_office.catalog_forms import LimitForm, ParameterForm, PlanForm, PublishForm, TermForm
from app.catalog import admin
from app.catalog.models import OrderingParameter, Plan, PlanResource, Product, Resource
from app.extensions import db


def _plan(plan_id: int) -> Plan:
    plan = db.session.scalar(select(Plan).where(Plan.id == plan_id).options(
        selectinload(Plan.terms), selectinload(Plan.resources).selectinload(PlanResource.resource)))
    if plan is None:
        abort(404)
    return plan


def _plan_fields(form: PlanForm) -> admin.PlanFields:
    return admin.PlanFields(code=form.code.data, name=form.name.data, description=form.description.data,
                            audience=form.audience.data, kind=form.kind.data, payment_model=form.payment_model.data,
                            postponed_billing_allowed=form.postponed_billing_allowed.data)


def _limit_form(plan: Plan) -> LimitForm:
    form = LimitForm(prefix="limit")
    form.resource_id.choices = [(r.id, f"{r.name} ({r.code})") for r in db.session.scalars(select(Resource).order_by(Resource.name))]
    return form


def _plan_url(plan: Plan) -> str:
    return url_for("back_office.catalog_plan", plan_id=plan.id)


def _plan_page(plan: Plan, plan_form=None, term_form=None, limit_form=None):
    return render_template("back_office/catalog/plan.html", plan=plan, product=plan.product,
                           form=plan_form or PlanForm(obj=plan), term_form=term_form or TermForm(prefix="term"),
                           limit_form=limit_form or _limit_form(plan), publish_form=PublishForm())


@bp.route("/catalog/products/<int:product_id>/plans/new", methods=["GET", "POST"])
def new_plan(product_id: int):
    product = db.get_or_404(Product, product_id)
    form = PlanForm()
    return saved(form, lambda: admin.save_plan(product, None, _plan_fields(form)),
                 lambda plan: (f"The plan {plan.name} is created, unpublished: add its terms and resources, price it, "
                               "then publish it.", _plan_url(plan)),
                 lambda: render_template("back_office/catalog/plan_form.html", form=form, product=product))


@bp.route("/catalog/plans/<int:plan_id>", methods=["GET", "POST"])
def catalog_plan(plan_id: int):
    plan = _plan(plan_id)
    if request.method == "GET":
        return _plan_page(plan)
    form = PlanForm()
    return saved(form, lambda: admin.save_plan(plan.product, plan, _plan_fields(form)),
                 lambda row: (f"The plan {row.name} is saved.", _plan_url(row)),
                 lambda: _plan_page(_plan(plan_id), plan_form=form))


@bp.post("/catalog/plans/<int:plan_id>/terms")
def add_plan_term(plan_id: int):
    plan = _plan(plan_id)
    form = TermForm(prefix="term")
    return saved(form, lambda: admin.add_term(plan, form.term_code.data, form.term_name.data, form.period_months.data,
                                              form.billing_frequency_months.data),
                 lambda term: (f"The term {term.name} is added: price it in the price list to sell it.", _plan_url(plan)),
                 lambda: _plan_page(_plan(plan_id), term_form=form))


@bp.post("/catalog/plans/<int:plan_id>/resources")
def set_plan_resource(plan_id: int):
    plan = _plan(plan_id)
    form = _limit_form(plan)
    return saved(form, lambda: admin.save_plan_resource(plan, form.resource_id.data, admin.LimitFields(
        included=form.included.data, minimum=form.minimum.data, maximum=form.maximum.data, step=form.step.data,
        customer_changeable=form.customer_changeable.data)),
                 lambda row: (f"The limits of {row.resource.name} are saved.", _plan_url(plan)),
                 lambda: _plan_page(_plan(plan_id), limit_form=form))


def _parameter_fields(form: ParameterForm) -> admin.ParameterFields:
    return admin.ParameterFields(key=form.key.data, label=form.label.data, kind=form.kind.data, required=form.required.data,
                                 default=form.default.data, choices=form.choices.data, max_length=form.max_length.data,
                                 help_text=form.help_text.data)


def _save_parameter(product: Product, parameter: OrderingParameter | None):
    if request.method == "GET" and parameter is not None:
        form = ParameterForm(obj=parameter)
        form.choices.data = "\n".join(f"{value}|{label}" for value, label in parameter.choices or [])
        form.max_length.data = str(parameter.max_length)
    else:
        form = ParameterForm()
    return saved(form, lambda: admin.save_parameter(product, parameter, _parameter_fields(form)),
                 lambda row: (f"The parameter {row.label} is saved.", url_for("back_office.catalog_product", product_id=product.id)),
                 lambda: render_template("back_office/catalog/parameter_form.html", form=form, product=product,
                                         parameter=parameter, delete_form=PublishForm()))


@bp.route("/catalog/products/<int:product_id>/parameters/new", methods=["GET", "POST"])
def new_parameter(product_id: int):
    return _save_parameter(db.get_or_404(Product, product_id), None)


@bp.route("/catalog/parameters/<int:parameter_id>", methods=["GET", "POST"])
def catalog_parameter(parameter_id: int):
    parameter = db.get_or_404(OrderingParameter, parameter_id)
    return _save_parameter(parameter.product, parameter)


@bp.post("/catalog/parameters/<int:parameter_id>/delete")
def delete_parameter(parameter_id: int):
    parameter = db.get_or_404(OrderingParameter, parameter_id)
    if not PublishForm().validate_on_submit():
        abort(400)
    product_id, label = parameter.product_id, parameter.label
    admin.delete_parameter(parameter)
    db.session.commit()
    flash(f"The parameter {label} is removed: new orders no longer ask for it.", "success")
    return redirect(url_for("back_office.catalog_product", product_id=product_id))

"""The catalog in the back office (/staff/catalog): products with their plans, terms, resource
limits, ordering parameters, vendor terms and connector; resources. Every rule is in
``app.catalog.admin``; these views only show forms and call it."""
from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from collections.abc import Callable
from typing import TypeVar

from app.back_office import bp
from app.back_office.catalog_forms import ProductForm, PublishForm, ResourceForm
from app.catalog import admin
from app.catalog.models import Category, Plan, PlanResource, Product, Resource
from app.extensions import db
from app.provisioning.connectors import CONNECTORS
from app.core.numbers import page_number

PER_PAGE = 50

Saved = TypeVar("Saved")


def refused(form, refusal: admin.CatalogEditRefused) -> None:
    """Shows the service's refusal beside the field it names (or above the form)."""
    db.session.rollback()
    field = getattr(form, refusal.field, None) if refusal.field else None
    if field is not None:
        field.errors = list(field.errors) + [refusal.message]
    else:
        flash(refusal.message, "danger")


def saved(form, save: Callable[[], Saved], done: Callable[[Saved], tuple[str, str]], page: Callable[[], str]):
    """Every catalog form's request: when ``form`` validates, ``save()`` (one ``admin`` call),
    commit, flash the message and redirect to the URL that ``done(saved row)`` gives. Otherwise
    ``page()`` shows the form again: 200 on a GET or a refusal without a field (flashed), 422 with
    the errors beside their fields (a refusal rolled back first)."""
    if form.validate_on_submit():
        try:
            row = save()
        except admin.CatalogEditRefused as refusal:
            refused(form, refusal)
        else:
            db.session.commit()
            message, url = done(row)
            flash(message, "success")
            return redirect(url)
    return page(), 422 if form.errors else 200


def _page() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


@bp.get("/catalog")
def catalog():
    search = request.args.get("q", "")[:100].strip()
    statement = select(Product).options(selectinload(Product.plans)).order_by(Product.name, Product.id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(Product.name.ilike(pattern, escape="\\"), Product.vendor.ilike(pattern, escape="\\"),
                                        Product.slug.ilike(pattern, escape="\\")))
    products = db.paginate(statement, page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("back_office/catalog/products.html", products=products, search=search)


def _product_form(product: Product | None = None) -> ProductForm:
    form = ProductForm(obj=product) if request.method == "GET" and product is not None else ProductForm()
    form.category_id.choices = [(c.id, c.name) for c in db.session.scalars(select(Category).order_by(Category.name))]
    form.connector.choices = [(name, name.replace("_", " ").capitalize()) for name in CONNECTORS]
    if request.method == "GET" and product is not None:
        form.connector_settings.data = json.dumps(product.connector_settings or {}, indent=2, sort_keys=True)
    return form


def _product_fields(form: ProductForm) -> admin.ProductFields:
    return admin.ProductFields(name=form.name.data, slug=form.slug.data, vendor=form.vendor.data, summary=form.summary.data,
                               description=form.description.data, category_id=form.category_id.data,
                               connector=form.connector.data, connector_settings=form.connector_settings.data,
                               terms_text=form.terms_text.data, renewal_upgrade_only=form.renewal_upgrade_only.data)


@bp.route("/catalog/products/new", methods=["GET", "POST"])
def new_product():
    form = _product_form()
    return saved(form, lambda: admin.save_product(None, _product_fields(form), CONNECTORS),
                 lambda product: (f"{product.name} is created, unpublished: add its plans, then publish it.", _product_url(product)),
                 lambda: render_template("back_office/catalog/product_form.html", form=form, product=None))


def _product_url(product: Product) -> str:
    return url_for("back_office.catalog_product", product_id=product.id)


def _product(product_id: int) -> Product:
    product = db.session.scalar(select(Product).where(Product.id == product_id).options(
        selectinload(Product.plans).selectinload(Plan.terms), selectinload(Product.parameters)))
    if product is None:
        abort(404)
    return product


@bp.route("/catalog/products/<int:product_id>", methods=["GET", "POST"])
def catalog_product(product_id: int):
    product = _product(product_id)
    form = _product_form(product)
    return saved(form, lambda: admin.save_product(product, _product_fields(form), CONNECTORS),
                 lambda row: (f"{row.name} is saved (terms version {row.terms_version}).", _product_url(row)),
                 lambda: render_template("back_office/catalog/product.html", form=form, publish_form=PublishForm(),
                                         product=_product(product_id) if request.method == "POST" else product))


def _publish(item, endpoint: str, **values):
    form = PublishForm()
    if not form.validate_on_submit() or form.published.data not in ("1", "0"):
        abort(400)
    try:
        admin.set_published(item, form.published.data == "1")
        db.session.commit()
        flash(f"{item.name} is {'published' if item.published else 'unpublished'}.", "success")
    except admin.CatalogEditRefused as refusal:
        db.session.rollback()
        flash(refusal.message, "danger")
    return redirect(url_for(endpoint, **values))


@bp.post("/catalog/products/<int:product_id>/publish")
def publish_product(product_id: int):
    return _publish(_product(product_id), "back_office.catalog_product", product_id=product_id)


@bp.post("/catalog/plans/<int:plan_id>/publish")
def publish_plan(plan_id: int):
    return _publish(db.get_or_404(Plan, plan_id), "back_office.catalog_plan", plan_id=plan_id)


def resource_usage() -> dict[int, int]:
    """How many plans use each resource (one grouped query)."""
    return dict(db.session.execute(select(PlanResource.resource_id, func.count()).group_by(PlanResource.resource_id)).all())


@bp.route("/catalog/resources", methods=["GET", "POST"])
def catalog_resources():
    form = ResourceForm()
    return saved(form, lambda: admin.save_resource(None, admin.ResourceFields(
        code=form.code.data, name=form.name.data, unit=form.unit.data, kind=form.kind.data,
        category_name=form.category_name.data, measures_seats=form.measures_seats.data)),
                 lambda resource: (f"The resource {resource.name} is created: add it to plans and price it in the price list.",
                                   url_for("back_office.catalog_resources")),
                 lambda: render_template("back_office/catalog/resources.html", resources=db.paginate(
                     select(Resource).options(selectinload(Resource.category)).order_by(Resource.code),
                     page=_page(), per_page=PER_PAGE, error_out=False), form=form, usage=resource_usage()))

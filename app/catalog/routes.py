from flask import abort, current_app, flash, redirect, render_template, request, url_for

from app.accounts.services import is_safe_next
from app.cart.routes import current_cart
from app.cart.services import region_notice
from app.catalog import bp
from app.catalog.context import current_marketplace, current_viewer, remember_marketplace
from app.catalog.queries import (
    catalog_page,
    category_by_slug,
    category_tree,
    marketplace_by_code,
    product_offers,
    published_product,
    term_codes,
)


def _page_argument() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and len(page) < 6 else 1


@bp.get("/")
def index():
    marketplace = current_marketplace()
    page = catalog_page(marketplace, current_viewer(), per_page=8)
    return render_template("catalog/index.html", categories=category_tree(), featured=page.cards)


@bp.get("/catalog/")
@bp.get("/catalog/<slug>/")
def browse(slug: str | None = None):
    category = None
    if slug is not None:
        category = category_by_slug(slug)
        if category is None:
            abort(404)
    page = catalog_page(
        current_marketplace(),
        current_viewer(),
        category=category,
        query=request.args.get("q", ""),
        page=_page_argument(),
        per_page=current_app.config["CATALOG_PAGE_SIZE"],
    )
    return render_template("catalog/browse.html", page=page, categories=category_tree())


@bp.get("/products/<slug>")
def product(slug: str):
    product = published_product(slug)
    if product is None:
        abort(404)
    term = request.args.get("term")
    offers = product_offers(product, current_marketplace(), current_viewer(), term)
    audience = request.args.get("audience")
    if audience not in offers:  # default: customer plans when there are any, else the first with plans
        with_plans = [a for a, plans in offers.items() if plans] or list(offers)
        audience = "customer" if "customer" in with_plans else with_plans[0]
    return render_template(
        "catalog/product.html",
        product=product,
        audience=audience,
        offers_by_audience=offers,
        offers=offers[audience],
        term_codes=term_codes(product),
        selected_term=term,
    )


@bp.post("/region")
def set_region():
    marketplace = marketplace_by_code(request.form.get("region"))
    if marketplace is None:
        abort(400, "Choose one of the listed regions.")
    remember_marketplace(marketplace)
    notice = region_notice(current_cart(), marketplace)
    if notice:
        flash(notice, "warning")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("catalog.index"))

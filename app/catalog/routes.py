from flask import abort, current_app, flash, redirect, render_template, request, url_for

from app.accounts.services import is_safe_next
from app.catalog import bp
from app.catalog.context import current_marketplace, current_viewer, remember_marketplace
from app.catalog.pages import browse_content, home_content, product_content
from app.catalog.reference import category_by_slug, marketplace_info
from app.core.numbers import page_number


def _page_argument() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


@bp.get("/")
def index():
    content = home_content(current_marketplace(), current_viewer())
    return render_template("catalog/index.html", content=content)


@bp.get("/catalog/")
@bp.get("/catalog/<slug>/")
def browse(slug: str | None = None):
    category = None
    if slug is not None:
        category = category_by_slug(slug)
        if category is None:
            abort(404)
    content = browse_content(
        current_marketplace(),
        current_viewer(),
        category,
        request.args.get("q", ""),
        _page_argument(),
        current_app.config["CATALOG_PAGE_SIZE"],
    )
    return render_template("catalog/browse.html", category=category, content=content)


@bp.get("/products/<slug>")
def product(slug: str):
    args = request.args
    page = product_content(slug, current_marketplace(), current_viewer(), args.get("audience"), args.get("term"))
    if page is None:
        abort(404)
    return render_template("catalog/product.html", product_name=page.name, content=page.content)


@bp.post("/region")
def set_region():
    marketplace = marketplace_info(request.form.get("region"))
    if marketplace is None:
        abort(400, "Choose one of the listed regions.")
    remember_marketplace(marketplace)
    # The cart imports the storefront, so the storefront reaches the cart only here.
    from app.cart.context import current_cart
    from app.cart.services import region_notice

    notice = region_notice(current_cart(), marketplace)
    if notice:
        flash(notice, "warning")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("catalog.index"))

from __future__ import annotations

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from app.accounts.services import ThrottlePolicy, Throttled, throttle
from app.accounts.signup import SignUp, SignUpRefused, sign_up as create_account
from app.accounts.storefronts import open_storefront, served_colour, storefront_for_host, storefront_logo
from app.catalog.context import current_marketplace
from app.catalog.pages import browse_content, product_content
from app.catalog.pricing import PriceBasis, Viewer
from app.catalog.reference import all_marketplaces, category_by_slug
from app.core.clock import current_now
from app.extensions import db
from app.mail import notices
from app.onboarding.forms import SignUpForm
from app.white_label import bp
from app.white_label.hosts import own_hosts
from app.core.numbers import page_number


def _storefront(shop: str):
    storefront = open_storefront(shop)
    if storefront is None:
        abort(404)
    g.shop_slug = storefront.slug
    return storefront


def _viewer(storefront) -> Viewer:
    return Viewer(PriceBasis.RESELLER_PRICE, reseller_id=storefront.organisation_id)


def _page() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


def _browse(storefront, category_slug: str | None = None):
    category = None
    if category_slug is not None:
        category = category_by_slug(category_slug)
        if category is None:
            abort(404)
    content = browse_content(current_marketplace(), _viewer(storefront), category, request.args.get("q", ""), _page(),
                             current_app.config["CATALOG_PAGE_SIZE"])
    return render_template("white_label/page.html", storefront=storefront, content=content, title=category.name if category else None)


@bp.get("/")
def home(shop: str):
    return _browse(_storefront(shop))


@bp.get("/catalog/")
@bp.get("/catalog/<slug>/")
def browse(shop: str, slug: str | None = None):
    return _browse(_storefront(shop), slug)


@bp.get("/products/<slug>")
def product(shop: str, slug: str):
    storefront = _storefront(shop)
    page = product_content(slug, current_marketplace(), _viewer(storefront), "customer", request.args.get("term"))
    if page is None:
        abort(404)
    return render_template("white_label/page.html", storefront=storefront, content=page.content, title=page.name,
                           scripts=True)


@bp.get("/logo")
def logo(shop: str):
    found = storefront_logo(shop)
    if found is None:
        abort(404)
    response = make_response(found[0])
    response.headers["Content-Type"] = found[1]
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/theme.css")
def theme(shop: str):
    """The storefront's colours as CSS variables (validated #rrggbb when saved; a stylesheet,
    since the CSP allows no inline style)."""
    storefront = _storefront(shop)
    response = make_response(render_template("white_label/theme.css", primary=served_colour(storefront.primary_colour, "#0d6efd"),
                                             accent=served_colour(storefront.accent_colour, "#212529")))
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _client_address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up(shop: str):
    """Standard: a visitor opens an account as this reseller's customer (the main sign-up's
    rules, throttling and CSRF). Free: customers join by the reseller's invitation only."""
    storefront = _storefront(shop)
    if not storefront.is_standard:
        return render_template("white_label/invitation_only.html", storefront=storefront), 403
    if current_user.is_authenticated:
        return redirect(url_for("white_label.home", shop=storefront.slug))
    form = SignUpForm()
    marketplaces = all_marketplaces()
    form.region.choices = [(m.code, f"{m.name} ({m.currency})") for m in marketplaces.all]
    if request.method == "GET" and current_marketplace() is not None:
        form.region.data = current_marketplace().code
    if not form.validate_on_submit():
        return _sign_up_page(storefront, form, 400 if form.is_submitted() else 200)
    config = current_app.config
    try:
        throttle("sign_up", form.email.data, _client_address(), ThrottlePolicy(config["SIGN_UP_MAX_ATTEMPTS"], config["SIGN_UP_WINDOW"]))
        details = SignUp(form.organisation_name.data, form.name.data, form.email.data, form.password.data,
                         marketplaces.by_code[form.region.data].id)
        now = current_now()
        user = create_account(details, min_length=config["MIN_PASSWORD_LENGTH"], now=now, seller=storefront.organisation)
    except Throttled as throttled:
        flash(str(throttled), "danger")
        return _sign_up_page(storefront, form, 429)
    except SignUpRefused as refused:
        getattr(form, refused.field or "", form.email).errors.append(refused.message)
        return _sign_up_page(storefront, form, 400)
    notices.email_verification(user, now)
    db.session.commit()
    login_user(user)
    flash(f"Welcome to {storefront.name}! We sent a link to {user.email}: open it to confirm your address before your first order.",
          "success")
    return redirect(url_for("white_label.home", shop=storefront.slug))


def _sign_up_page(storefront, form, status: int):
    return render_template("white_label/sign_up.html", storefront=storefront, form=form,
                           min_length=current_app.config["MIN_PASSWORD_LENGTH"]), status


@bp.before_app_request
def _custom_domain():
    """The root of a Standard storefront's own domain serves its home page."""
    if request.path != "/" or request.method not in ("GET", "HEAD"):
        return None
    host = request.host.rsplit(":", 1)[0].lower() if not request.host.startswith("[") else ""
    if not host or host in own_hosts():
        return None
    storefront = storefront_for_host(request.host)
    if storefront is None:
        return None
    g.shop_slug = storefront.slug
    return _browse(storefront)

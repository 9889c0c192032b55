"""The storefront pages' content, rendered once per catalog version and shared by every viewer
who sees the same prices (``app.catalog.cache``).

A content's cache key lists everything it depends on besides the catalog: the marketplace, the
price basis (and the reseller whose prices a customer sees), the kind of buyer looking (which
plans it is shown and may buy: ``app.catalog.eligibility``; a direct customer pays retail like
a visitor but is shown less), the price epoch (which dated prices are in effect), and the
page's own arguments. The
layout around it (user menu, cart, region picker, flashes) is rendered per request. Forms in a
content get the viewer's CSRF token put in when served.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from flask import g, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.catalog.cache import cached
from app.catalog.price_schedule import price_epoch
from app.catalog.pricing import Viewer
from app.catalog.queries import catalog_page, listed_category_ids, product_offers, published_product, term_codes
from app.catalog.reference import CategoryInfo, MarketplaceInfo, category_tree
from app.catalog.totals import plan_total

AUDIENCES = ("customer", "reseller")
HOME_CARDS = 8
MAX_QUERY_LENGTH = 100


def _prices(marketplace: MarketplaceInfo, viewer: Viewer) -> tuple:
    # The script root too: links in a content are relative to where the app is mounted. The
    # price epoch changes the key when a dated price comes into effect (app.catalog.price_schedule).
    # A reseller's white-label storefront (g.shop_slug) links to its own pages.
    return (request.script_root, marketplace.id, viewer.basis.value, viewer.reseller_id, viewer.kind.value, price_epoch(),
            g.get("shop_slug"))


def _render_shared(template: str, **context) -> dict:
    """The template rendered with a random stand-in for the CSRF token (replaced when served)."""
    marker = f"csrf-{secrets.token_hex(16)}"
    html = render_template(template, csrf_token=lambda: marker, **context)
    return {"html": html, "csrf_marker": marker if marker in html else None}


def _served(rendered: dict) -> Markup:
    html = rendered["html"]
    if rendered["csrf_marker"]:
        html = html.replace(rendered["csrf_marker"], generate_csrf())
    return Markup(html)


def listed_categories(marketplace: MarketplaceInfo, viewer: Viewer) -> list[CategoryInfo]:
    """The category tree without the categories holding no product the viewer is shown: a
    parent stays while one of its children holds one (copies: the snapshots are shared)."""
    listed = listed_category_ids(marketplace, viewer)
    tree = []
    for category in category_tree():
        children = [child for child in category.children if child.id in listed]
        if category.id in listed or children:
            tree.append(replace(category, children=children))
    return tree


def home_content(marketplace: MarketplaceInfo, viewer: Viewer) -> Markup:
    """The home page: categories and the first products of the catalog at the viewer's prices."""

    def build() -> dict:
        featured = catalog_page(marketplace, viewer, per_page=HOME_CARDS).cards
        return _render_shared("catalog/_index.html", categories=listed_categories(marketplace, viewer), featured=featured)

    return _served(cached("home", _prices(marketplace, viewer), build))


def browse_content(marketplace: MarketplaceInfo, viewer: Viewer, category: CategoryInfo | None, query: str,
                   page: int, per_page: int) -> Markup:
    """A page of the catalog (a category's or a search's) at the viewer's prices."""
    query = query.strip()[:MAX_QUERY_LENGTH]

    def build() -> dict:
        listing = catalog_page(marketplace, viewer, category=category, query=query, page=page, per_page=per_page)
        return _render_shared("catalog/_browse.html", page=listing, categories=listed_categories(marketplace, viewer))

    parts = (*_prices(marketplace, viewer), category.id if category else None, query, page, per_page)
    return _served(cached("browse", parts, build))


@dataclass(frozen=True)
class ProductContent:
    name: str
    content: Markup


def choose_audience(offers: dict, requested: str | None) -> str:
    """The requested audience when the viewer may buy it, else customer plans when there are
    any, else the first audience with plans."""
    if requested in offers:
        return requested
    with_plans = [audience for audience, plans in offers.items() if plans] or list(offers)
    return "customer" if "customer" in with_plans else with_plans[0]


def product_content(slug: str, marketplace: MarketplaceInfo, viewer: Viewer, audience: str | None,
                    term: str | None) -> ProductContent | None:
    """A published product's page at the viewer's prices, or ``None`` when there is none."""
    audience = audience if audience in AUDIENCES else None  # any other value shows the default

    def build() -> dict | None:
        product = published_product(slug)
        if product is None:
            return None
        offers = product_offers(product, marketplace, viewer, term)
        chosen = choose_audience(offers, audience)
        # a product whose published plans are all of audiences the viewer is not shown (for resellers, to a customer)
        audiences = {plan.audience for plan in product.plans if plan.published}
        withheld = bool(audiences) and not audiences & set(offers)
        rendered = _render_shared("catalog/_product.html", product=product, audience=chosen, offers_by_audience=offers,
                                  offers=offers[chosen], term_codes=term_codes(product), selected_term=term, plan_total=plan_total,
                                  viewer_kind=viewer.kind.value, buyable=viewer.kind.buyable, withheld=withheld)
        return {"name": product.name, **rendered}

    found = cached("product", (*_prices(marketplace, viewer), slug, audience, term), build)
    return ProductContent(found["name"], _served(found)) if found is not None else None

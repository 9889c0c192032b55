"""Marketplaces and categories as every page needs them (the region picker, the category
navigation, breadcrumbs): read-only snapshots from the storefront cache, no query on a hit.

A snapshot has the attributes of its row (``MarketplaceInfo`` every column of ``Marketplace``)
and is used wherever a marketplace is read, never added to a session.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from sqlalchemy import select

from app.catalog.cache import cached
from app.catalog.models import Category
from app.catalog.queries import marketplaces
from app.extensions import db


@dataclass(frozen=True, slots=True)
class MarketplaceInfo:
    id: int
    code: str
    name: str
    country: str
    currency: str
    locale: str
    tax_rate_bp: int
    tax_label: str
    tax_region: str | None
    terms_text: str
    terms_version: str
    position: int


MARKETPLACE_FIELDS = tuple(f.name for f in fields(MarketplaceInfo))


@dataclass(frozen=True, slots=True)
class Marketplaces:
    """Every marketplace in display order, and by code and id."""

    all: tuple[MarketplaceInfo, ...]
    by_code: dict[str, MarketplaceInfo]
    by_id: dict[int, MarketplaceInfo]


def _read_marketplaces() -> list[dict]:
    return [{name: getattr(m, name) for name in MARKETPLACE_FIELDS} for m in marketplaces()]


def _marketplaces_from(rows: list[dict]) -> Marketplaces:
    infos = tuple(MarketplaceInfo(**row) for row in rows)
    return Marketplaces(infos, {m.code: m for m in infos}, {m.id: m for m in infos})


def all_marketplaces() -> Marketplaces:
    return cached("marketplaces", (), _read_marketplaces, _marketplaces_from)


def marketplace_info(code: str | None) -> MarketplaceInfo | None:
    if not code or len(code) > 8:
        return None
    return all_marketplaces().by_code.get(code.upper())


@dataclass(eq=False, slots=True)
class CategoryInfo:
    id: int
    slug: str
    name: str
    description: str
    position: int
    parent_id: int | None
    parent: CategoryInfo | None = None
    children: list[CategoryInfo] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Categories:
    top_level: tuple[CategoryInfo, ...]  # in navigation order, each with its children
    by_slug: dict[str, CategoryInfo]


def _read_categories() -> list[dict]:
    rows = db.session.execute(
        select(Category.id, Category.slug, Category.name, Category.description, Category.position, Category.parent_id)
        .order_by(Category.position, Category.name)
    ).all()
    return [row._asdict() for row in rows]


def _categories_from(rows: list[dict]) -> Categories:
    infos = [CategoryInfo(**row) for row in rows]
    by_id = {info.id: info for info in infos}
    for info in infos:  # rows come in (position, name) order; children are listed by position
        info.parent = by_id.get(info.parent_id)
        if info.parent is not None:
            info.parent.children.append(info)
    for info in infos:
        info.children.sort(key=lambda child: child.position)
    top_level = tuple(info for info in infos if info.parent_id is None)
    return Categories(top_level, {info.slug: info for info in infos})


def all_categories() -> Categories:
    return cached("categories", (), _read_categories, _categories_from)


def category_tree() -> list[CategoryInfo]:
    """Top-level categories (by position, then name) with their children (by position)."""
    return list(all_categories().top_level)


def category_by_slug(slug: str) -> CategoryInfo | None:
    return all_categories().by_slug.get(slug)

"""A price-list version against the prices in effect before it, item by item (plan term, or
resource on a plan term), computed in SQL: the version's rows and the list's rows in effect at
that moment (``app.catalog.pricing.rows_in_effect``) grouped by item, labelled and ordered in
the query, so that a page of the diff reads only its lines and its counts read none.

Each line is ``changed``, ``added`` (only in the version), ``removed`` (only before it) or
``same``; lines come in label order ("Product — Plan (Term)", then ": Resource"), by code point
as Python sorts strings, then by plan term and resource id.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import Integer, and_, case, collate, func, literal, null, select, union_all
from sqlalchemy.sql import Select

from app.catalog.models import (
    Plan,
    PlanTerm,
    PlanTermPrice,
    PriceListVersion,
    PriceListVersionRow,
    PriceListVersionState as State,
    Product,
    Resource,
    ResourcePrice,
)
from app.catalog.pricing import rows_in_effect
from app.extensions import db

CHANGES = ("changed", "added", "removed")


@dataclass(frozen=True)
class DiffLine:
    plan_term_id: int
    resource_id: int | None
    change: str  # "changed", "added", "removed", "same"
    old: tuple[int, int] | None
    new: tuple[int, int] | None
    label: str = ""


@dataclass(frozen=True)
class DiffPage:
    lines: list[DiffLine]
    page: int  # the page shown: the one asked for, within 1..pages
    pages: int
    total: int  # lines shown on every page together
    counts: dict[str, int]  # of each change (changed, added, removed, same)


def compared_at(version: PriceListVersion, now: datetime) -> datetime:
    """The moment whose prices a version is compared with: just before it takes effect when it
    is dated, else now."""
    if version.effective_from is not None and version.state != State.DRAFT.value:
        return version.effective_from - timedelta(microseconds=1)
    return now


def _lines(version: PriceListVersion, now: datetime):
    """Every line of the diff as a subquery: plan_term_id, resource_id, old_cost, old_msrp,
    new_cost, new_msrp, change, label (NULL when the plan term is unknown)."""
    dated = union_all(*(rows_in_effect(model, [version.price_list_id], compared_at(version, now))
                        for model in (PlanTermPrice, ResourcePrice))).subquery("dated")
    none = null().cast(Integer)
    # Both sides in one list, then one row per item (GROUP BY puts the NULL resource ids of plan
    # terms together): no join between the sides, so the plan stays linear whatever the
    # statistics say.
    sides = union_all(
        select(dated.c.plan_term_id, dated.c.resource_id, dated.c.cost.label("old_cost"), dated.c.msrp.label("old_msrp"),
               none.label("new_cost"), none.label("new_msrp"))
        .where(dated.c.newest_first == 1, dated.c.cost.is_not(None), dated.c.msrp.is_not(None)),
        select(PriceListVersionRow.plan_term_id, PriceListVersionRow.resource_id, none, none, PriceListVersionRow.cost,
               PriceListVersionRow.msrp).where(PriceListVersionRow.version_id == version.id),
    ).subquery("sides")
    items = (select(sides.c.plan_term_id, sides.c.resource_id, *(func.max(column).label(column.name) for column in (
        sides.c.old_cost, sides.c.old_msrp, sides.c.new_cost, sides.c.new_msrp)))
        .group_by(sides.c.plan_term_id, sides.c.resource_id).subquery("items"))
    term_label = Product.name + literal(" \u2014 ") + Plan.name + literal(" (") + PlanTerm.name + literal(")")
    label = case((items.c.resource_id.is_(None), term_label), else_=term_label + literal(": ") + Resource.name)
    change = case((items.c.old_cost.is_(None), "added"), (items.c.new_cost.is_(None), "removed"),
                  (and_(items.c.old_cost == items.c.new_cost, items.c.old_msrp == items.c.new_msrp), "same"), else_="changed")
    return (
        select(items.c.plan_term_id, items.c.resource_id, items.c.old_cost, items.c.old_msrp, items.c.new_cost,
               items.c.new_msrp, change.label("change"), label.label("label"))
        .select_from(items)
        .outerjoin(PlanTerm, PlanTerm.id == items.c.plan_term_id).outerjoin(Plan, Plan.id == PlanTerm.plan_id)
        .outerjoin(Product, Product.id == Plan.product_id).outerjoin(Resource, Resource.id == items.c.resource_id)
    ).subquery("lines")


def _ordered(lines, changes_only: bool) -> Select:
    label = func.coalesce(lines.c.label, "")
    if db.engine.dialect.name == "postgresql":
        label = collate(label, "C")  # code point order, as Python's (SQLite's default already is)
    statement = select(lines).order_by(label, lines.c.plan_term_id, func.coalesce(lines.c.resource_id, 0))
    return statement.where(lines.c.change != "same") if changes_only else statement


def _line(row) -> DiffLine:
    old = (row.old_cost, row.old_msrp) if row.old_cost is not None else None
    new = (row.new_cost, row.new_msrp) if row.new_cost is not None else None
    return DiffLine(row.plan_term_id, row.resource_id, row.change, old, new, row.label or f"Plan term {row.plan_term_id}")


def diff(version: PriceListVersion, now: datetime, *, changes_only: bool = False) -> list[DiffLine]:
    """The version against the prices in effect before it (now, for a draft), every line (or
    every line but the unchanged ones), in label order: one statement."""
    return [_line(row) for row in db.session.execute(_ordered(_lines(version, now), changes_only))]


def diff_page(version: PriceListVersion, now: datetime, *, changes_only: bool, page: int, per_page: int) -> DiffPage:
    """One page of ``diff``: the counts of each change (one statement, no line read), then the
    page's lines only (LIMIT/OFFSET). A page past the last shows the last."""
    lines = _lines(version, now)
    counts = {change: 0 for change in (*CHANGES, "same")}
    counts.update(db.session.execute(select(lines.c.change, func.count()).group_by(lines.c.change)).all())
    total = sum(counts[change] for change in CHANGES) + (0 if changes_only else counts["same"])
    pages = max(1, ceil(total / per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(_ordered(lines, changes_only).limit(per_page).offset((page - 1) * per_page))
    return DiffPage([_line(row) for row in rows], page, pages, total, counts)

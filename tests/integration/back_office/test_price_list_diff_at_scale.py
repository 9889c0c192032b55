"""The price-list diff at scale: 300 products (1,800 priced items) and a draft changing,
removing and adding some. A page of the diff is two statements (the counts, its lines) at any
size, and the pages together are the whole diff in its order."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, insert, select, update

from app.catalog.models import PriceListVersionRow
from app.catalog.price_diff import diff_page
from app.catalog.price_versions import create_draft, diff
from app.core.clock import FixedClock
from app.extensions import db
from tests import factories as f
from tests.integration.back_office.price_scale import many_priced_products

NOW = datetime(2026, 5, 4, 9, 0)


@pytest.fixture
def staff(client, auth, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    auth.login("staff@dist.test")
    return client


def _edit(version, world) -> None:
    """Raises every 7th row's cost, removes every 50th row, adds an extra resource to every 20th plan term."""
    extra = f.make_resource(name="Extra")
    ids = db.session.scalars(select(PriceListVersionRow.id).where(PriceListVersionRow.version_id == version.id)
                             .order_by(PriceListVersionRow.id)).all()
    db.session.execute(update(PriceListVersionRow).where(PriceListVersionRow.id.in_(ids[::7]))
                       .values(cost=PriceListVersionRow.cost + 1))
    db.session.execute(delete(PriceListVersionRow).where(PriceListVersionRow.id.in_(ids[3::50])))
    terms = db.session.scalars(select(PriceListVersionRow.plan_term_id).where(
        PriceListVersionRow.version_id == version.id, PriceListVersionRow.resource_id.is_(None))
        .order_by(PriceListVersionRow.plan_term_id)).all()
    db.session.execute(insert(PriceListVersionRow), [{"version_id": version.id, "plan_term_id": term, "resource_id": extra.id,
                                                      "cost": 5, "msrp": 6} for term in terms[::20]])
    db.session.commit()


def _draft(world):
    version = create_draft(f.price_list(world.distributor, world.us), name="Big", actor=world.users.staff, now=NOW)
    db.session.commit()
    _edit(version, world)
    assert version.state == "draft"  # loaded again after the commits, before anything is counted
    return version


def test_a_page_is_two_statements_at_any_size_and_the_pages_are_the_whole_diff(world, count_queries):
    small = _draft(world)
    with count_queries() as small_count:
        diff_page(small, NOW, changes_only=True, page=1, per_page=50)
    many_priced_products(world, 300)
    version = _draft(world)
    whole = diff(version, NOW)
    changes = [line for line in whole if line.change != "same"]

    with count_queries() as counter:
        first = diff_page(version, NOW, changes_only=True, page=1, per_page=50)

    assert counter.count == small_count.count == 2
    assert first.counts == {change: sum(line.change == change for line in whole) for change in ("changed", "added", "removed", "same")}
    assert (first.total, first.pages, first.lines) == (len(changes), -(-len(changes) // 50), changes[:50])
    assert len(whole) > 1800 and first.counts["added"] > 0 and first.counts["removed"] > 0
    every = [line for page in range(1, -(-len(whole) // 50) + 1)
             for line in diff_page(version, NOW, changes_only=False, page=page, per_page=50).lines]
    assert every == whole
    past = diff_page(version, NOW, changes_only=False, page=10_000, per_page=50)
    assert (past.page, past.lines) == (-(-len(whole) // 50), whole[(past.page - 1) * 50:])
    assert diff(version, NOW, changes_only=True) == changes


def test_the_version_page_reads_as_many_statements_for_a_large_list_as_for_a_small_one(staff, world, count_queries):
    small = _draft(world)
    staff.get(f"/staff/price-lists/versions/{small.id}")
    with count_queries() as small_count:
        assert staff.get(f"/staff/price-lists/versions/{small.id}?show=all").status_code == 200
    many_priced_products(world, 300)
    version = _draft(world)
    staff.get(f"/staff/price-lists/versions/{version.id}")

    with count_queries() as counter:
        page = staff.get(f"/staff/price-lists/versions/{version.id}?show=all&page=3").get_data(as_text=True)

    assert counter.count == small_count.count
    assert page.count("data-diff-line=") == 50

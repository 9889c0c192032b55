"""The back office's price-list pages through HTTP: versions listed, a draft created, imported
(all or nothing, the bad row named), its diff, scheduled (resellers e-mailed), withdrawn, and
exported; staff only."""
import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.catalog.models import PriceListVersion, PriceListVersionRow
from app.core.clock import FixedClock
from app.extensions import db
from app.mail.models import OutboxMessage
from tests import factories as f

NOW = datetime(2026, 5, 4, 9, 0)


@pytest.fixture
def staff(client, auth, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "CLOCK", FixedClock(NOW))
    auth.login("staff@dist.test")
    return client


def new_draft(staff, world) -> int:
    list_id = f.price_list(world.distributor, world.us).id
    response = staff.post(f"/staff/price-lists/{list_id}/versions", data={"name": "June"})
    assert response.status_code == 302
    return db.session.scalar(select(PriceListVersion.id).order_by(PriceListVersion.id.desc()))


def exported(staff, version_id) -> list[dict]:
    response = staff.get(f"/staff/price-lists/versions/{version_id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def upload(staff, version_id, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return staff.post(f"/staff/price-lists/versions/{version_id}/import",
                      data={"file": (io.BytesIO(buffer.getvalue().encode()), "prices.csv")},
                      content_type="multipart/form-data")


def test_staff_create_edit_diff_schedule_and_withdraw_a_version(staff, world):
    assert "New draft" in staff.get("/staff/price-lists").get_data(as_text=True)
    version_id = new_draft(staff, world)
    rows = exported(staff, version_id)
    monthly = next(t for t in world.customer_plan.terms if t.code == "monthly")
    for row in rows:
        if row["plan_term_id"] == str(monthly.id) and not row["resource_id"]:
            row["cost"], row["msrp"] = "9.00", "12.00"
    response = upload(staff, version_id, rows)
    assert response.status_code == 302
    html = staff.get(f"/staff/price-lists/versions/{version_id}").get_data(as_text=True)
    assert "1 changed, 0 added, 0 removed" in html
    line = html.split(f'data-diff-line="{monthly.id}-plan"')[1].split("</tr>")[0]
    assert [v in line for v in ("$8.00", "$9.00", "$10.00", "$12.00")] == [True] * 4
    response = staff.post(f"/staff/price-lists/versions/{version_id}/schedule", data={"effective_from": "2026-06-01T00:00"})
    assert response.status_code == 302
    assert db.session.get(PriceListVersion, version_id).state == "scheduled"
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "price_list_scheduled")) == 2
    assert "scheduled" in staff.get("/staff/price-lists").get_data(as_text=True)
    assert staff.post(f"/staff/price-lists/versions/{version_id}/withdraw").status_code == 302
    assert db.session.get(PriceListVersion, version_id).state == "draft"


def test_an_import_with_one_bad_row_imports_nothing_and_says_which_row(staff, world):
    version_id = new_draft(staff, world)
    rows = exported(staff, version_id)
    before = db.session.scalars(select(PriceListVersionRow.cost).where(PriceListVersionRow.version_id == version_id)
                                .order_by(PriceListVersionRow.id)).all()
    rows[0]["cost"] = "1.00"
    rows[2]["cost"] = "free"
    response = upload(staff, version_id, rows)
    assert response.status_code == 422
    assert "Row 4: cost “free” is not an amount. Nothing was imported." in response.get_data(as_text=True)
    assert db.session.scalars(select(PriceListVersionRow.cost).where(PriceListVersionRow.version_id == version_id)
                              .order_by(PriceListVersionRow.id)).all() == before


def test_scheduling_in_the_past_or_without_a_date_is_refused(staff, world):
    version_id = new_draft(staff, world)
    for moment in ("2026-05-01T00:00", "soon"):
        response = staff.post(f"/staff/price-lists/versions/{version_id}/schedule", data={"effective_from": moment})
        assert response.status_code == 422
    assert db.session.get(PriceListVersion, version_id).state == "draft"
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_resellers_and_customers_do_not_find_the_price_lists(client, auth, world):
    version = f.price_list(world.distributor, world.us)
    for email in ("admin@reseller.test", "admin@customer-a.test"):
        auth.login(email)
        assert client.get("/staff/price-lists").status_code == 404
        assert client.post(f"/staff/price-lists/{version.id}/versions").status_code == 404
        auth.logout()
    assert db.session.scalar(select(func.count(PriceListVersion.id))) == 0


def test_the_export_streams_batch_by_batch_every_row_once(staff, world, monkeypatch):
    from app.catalog import price_list_csv

    monkeypatch.setattr(price_list_csv, "EXPORT_BATCH", 5)
    version_id = new_draft(staff, world)
    rows = exported(staff, version_id)
    stored = db.session.scalars(select(PriceListVersionRow.id).where(PriceListVersionRow.version_id == version_id)).all()
    assert len(rows) == len(stored) == 12
    assert len({(row["plan_term_id"], row["resource_id"]) for row in rows}) == 12

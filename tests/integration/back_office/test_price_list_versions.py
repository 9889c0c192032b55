"""Versions of the distributor's price lists: draft -> scheduled -> active -> expired, the diff,
the resellers' e-mail with its CSV, CSV export and all-or-nothing import, and the prices taking
effect at the version's date and not before (running subscriptions keep theirs until renewal)."""
import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.catalog.models import PlanTermPrice, PriceListVersion, PriceListVersionRow, ResourcePrice
from app.catalog.price_versions import (
    VersionRefused,
    activate_due_versions,
    create_draft,
    diff,
    displayed_state,
    schedule,
    withdraw,
)
from app.catalog.price_list_csv import export_rows, import_csv
from app.catalog.pricing import PriceBook, viewer_for
from app.core.clock import FixedClock
from app.extensions import db
from app.mail.delivery import mail_of
from app.mail.models import OutboxMessage
from app.money import Money
from app.plans.lifecycle import activate, close_period
from app.plans.models import Subscription, SubscriptionResource
from app.plans.term_prices import locked_prices_of
from tests import factories as f

NOW = datetime(2026, 5, 4, 9, 0)
JUNE = datetime(2026, 6, 1, 0, 0)


@pytest.fixture
def clock(app, monkeypatch):
    clock = FixedClock(NOW)
    monkeypatch.setitem(app.config, "CLOCK", clock)
    return clock


def monthly(plan):
    return next(term for term in plan.terms if term.code == "monthly")


def exported(version) -> list[dict]:
    return list(csv.DictReader(io.StringIO("".join(export_rows(version)))))


def to_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def draft(world, clock):
    version = create_draft(f.price_list(world.distributor, world.us), name="June prices", actor=world.users.staff, now=NOW)
    db.session.commit()
    return version


def raise_monthly_customer_plan(version, world, cost="9.00", msrp="12.00") -> bytes:
    rows = exported(version)
    term_id = str(monthly(world.customer_plan).id)
    for row in rows:
        if row["plan_term_id"] == term_id and not row["resource_id"]:
            row["cost"], row["msrp"] = cost, msrp
    return to_csv(rows)


def test_a_draft_holds_the_prices_in_effect_and_exports_them(world, draft):
    rows = exported(draft)
    # 2 plans x 2 terms, each with seats and QuickStart
    assert len(rows) == 12 and draft.number == 1 and draft.state == "draft"
    term = monthly(world.customer_plan)
    plan_row = next(r for r in rows if r["plan_term_id"] == str(term.id) and not r["resource_id"])
    assert (plan_row["cost"], plan_row["msrp"], plan_row["term"]) == ("8.00", "10.00", "Monthly")
    assert all(line.change == "same" for line in diff(draft, NOW))


def test_the_export_neutralises_names_a_spreadsheet_would_run_and_still_imports(world, draft):
    # a plan named like a formula (names are typed by staff; the CSV is opened in spreadsheets)
    world.customer_plan.name = "=HYPERLINK(\"http://x.test\")"
    db.session.commit()
    rows = exported(draft)
    names = {row["plan"] for row in rows}
    assert "'=HYPERLINK(\"http://x.test\")" in names and not any(name.startswith("=") for name in names)
    # the import reads ids and amounts only: the exported file goes back in unchanged
    import_csv(draft.id, to_csv(rows), actor=world.users.staff, now=NOW)
    db.session.commit()
    assert all(line.change == "same" for line in diff(draft, NOW))


def test_a_csv_import_with_one_bad_row_imports_nothing_and_names_the_row(world, draft):
    rows = exported(draft)
    before = sorted(db.session.execute(select(PriceListVersionRow.plan_term_id, PriceListVersionRow.resource_id,
                                              PriceListVersionRow.cost, PriceListVersionRow.msrp)).all(), key=str)
    rows[0]["cost"] = "7.00"  # a good change
    rows[4]["msrp"] = "-3.00"  # row 6 of the file (the header is row 1)
    with pytest.raises(VersionRefused) as refused:
        import_csv(draft.id, to_csv(rows), actor=world.users.staff, now=NOW)
    assert refused.value.message == "Row 6: MSRP -3.00 is negative. Nothing was imported."
    db.session.rollback()
    after = sorted(db.session.execute(select(PriceListVersionRow.plan_term_id, PriceListVersionRow.resource_id,
                                             PriceListVersionRow.cost, PriceListVersionRow.msrp)).all(), key=str)
    assert after == before


@pytest.mark.parametrize("change, message", [
    ({"plan_term_id": "999999"}, "Row 3: plan term “999999” does not exist"),
    ({"resource_id": "abc"}, "Row 3: resource “abc” is not a resource"),
    ({"cost": "1.234"}, "Row 3: cost 1.234 has more than 2 decimals"),
    ({"cost": "lots"}, "Row 3: cost “lots” is not an amount"),
    ({"msrp": ""}, "Row 3: MSRP “” is not an amount"),
])
def test_each_bad_row_is_refused_with_its_reason(world, draft, change, message):
    rows = exported(draft)
    rows[1].update(change)
    with pytest.raises(VersionRefused) as refused:
        import_csv(draft.id, to_csv(rows), actor=world.users.staff, now=NOW)
    assert refused.value.message.startswith(message)


def test_a_duplicate_item_is_refused(world, draft):
    rows = exported(draft)
    with pytest.raises(VersionRefused) as refused:
        import_csv(draft.id, to_csv(rows + [dict(rows[0])]), actor=world.users.staff, now=NOW)
    assert refused.value.message.startswith("Row 14: this plan term and resource appear on an earlier row too")


def test_the_diff_shows_changed_added_and_removed_rows_with_old_and_new_prices(world, draft):
    rows = exported(draft)
    term = monthly(world.customer_plan)
    quickstart_row = next(r for r in rows if r["plan_term_id"] == str(term.id) and r["resource_id"] == str(world.quickstart.id))
    rows.remove(quickstart_row)
    import_csv(draft.id, to_csv(rows), actor=world.users.staff, now=NOW)
    db.session.commit()
    rows = exported(draft)
    for row in rows:
        if row["plan_term_id"] == str(term.id) and not row["resource_id"]:
            row["cost"], row["msrp"] = "9.00", "12.00"
    import_csv(draft.id, to_csv(rows), actor=world.users.staff, now=NOW)
    db.session.commit()
    lines = {(line.plan_term_id, line.resource_id): line for line in diff(draft, NOW)}
    changed = lines[(term.id, None)]
    assert (changed.change, changed.old, changed.new) == ("changed", (800, 1000), (900, 1200))
    removed = lines[(term.id, world.quickstart.id)]
    assert (removed.change, removed.old, removed.new) == ("removed", (20000, 25000), None)
    assert sum(line.change == "same" for line in lines.values()) == 10


def test_a_scheduled_version_takes_effect_at_its_date_and_not_before_and_resellers_get_the_csv(world, draft, clock):
    # Given a running subscription of Customer A and a draft raising the monthly customer plan
    term = monthly(world.customer_plan)
    subscription = Subscription(owner_id=world.customer.id, payer_id=world.reseller.id, plan_id=world.customer_plan.id,
                                plan_term_id=term.id, marketplace_id=world.us.id, currency="USD",
                                resources=[SubscriptionResource(resource_id=world.seats.id, quantity=5),
                                           SubscriptionResource(resource_id=world.quickstart.id, quantity=0)])
    db.session.add(subscription)
    db.session.flush()
    activate(subscription.id, datetime(2026, 5, 20, 10))
    import_csv(draft.id, raise_monthly_customer_plan(draft, world), actor=world.users.staff, now=NOW)
    db.session.commit()
    # When staff schedule it for 1 June
    schedule(draft.id, JUNE, actor=world.users.staff, now=NOW)
    db.session.commit()
    version = db.session.get(PriceListVersion, draft.id)
    assert (version.state, version.effective_from, version.scheduled_by_id) == ("scheduled", JUNE, world.users.staff.id)
    # Then the resellers selling in the marketplace get an e-mail with the CSV of old and new prices
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "price_list_scheduled")
                                  .order_by(OutboxMessage.recipient)).all()
    assert [m.recipient for m in messages] == ["admin@other.test", "admin@reseller.test"]
    mail = mail_of(messages[1])
    assert "01 Jun 2026 at 00:00 UTC" in mail.text and "1 price of" in mail.text
    (attachment,) = mail.attachments
    assert (attachment.filename, attachment.mime_type) == ("prices-us-2026-06-01.csv", "text/csv")
    assert list(csv.reader(io.StringIO(attachment.content.decode()))) == [
        ["plan_term_id", "resource_id", "item", "change", "old_cost", "old_msrp", "new_cost", "new_msrp"],
        [str(term.id), "", "Sync Tool — for-customers (Monthly)", "changed", "8.00", "10.00", "9.00", "12.00"],
    ]
    # and the prices change at the date, not a moment before
    clock._moment = JUNE - timedelta(microseconds=1)
    assert PriceBook(viewer_for(world.reseller), world.us).plan_term(term.id) == Money(800, "USD")
    assert displayed_state(version, clock.now()) == "scheduled" and activate_due_versions(clock.now()) == 0
    clock._moment = JUNE
    assert PriceBook(viewer_for(world.reseller), world.us).plan_term(term.id) == Money(900, "USD")
    assert PriceBook(viewer_for(world.customer), world.us).plan_term(term.id) == Money(1200, "USD")
    assert activate_due_versions(clock.now()) == 1
    assert db.session.get(PriceListVersion, draft.id).state == "active"
    # Running subscriptions keep their locked prices until their renewal, which takes the new ones
    assert locked_prices_of(db.session.get(Subscription, subscription.id)).plan.cost == 800
    closed = close_period(subscription.id, datetime(2026, 6, 20, 10))
    db.session.commit()
    assert (closed.billing_period.reseller_amount, closed.billing_period.customer_amount) == (900, 1200)


def test_a_withdrawn_version_leaves_the_prices_as_they_were(world, draft, clock):
    term = monthly(world.customer_plan)
    import_csv(draft.id, raise_monthly_customer_plan(draft, world), actor=world.users.staff, now=NOW)
    schedule(draft.id, JUNE, actor=world.users.staff, now=NOW)
    db.session.commit()
    withdraw(draft.id, actor=world.users.staff, now=NOW)
    db.session.commit()
    assert db.session.get(PriceListVersion, draft.id).state == "draft"
    assert db.session.scalar(select(func.count(PlanTermPrice.id)).where(PlanTermPrice.version_id == draft.id)) == 0
    clock._moment = JUNE
    assert PriceBook(viewer_for(world.reseller), world.us).plan_term(term.id) == Money(800, "USD")


def test_transitions_outside_the_listed_ones_are_refused(world, draft, clock):
    with pytest.raises(VersionRefused):
        withdraw(draft.id, actor=world.users.staff, now=NOW)  # a draft is not scheduled
    with pytest.raises(VersionRefused):
        schedule(draft.id, NOW - timedelta(minutes=1), actor=world.users.staff, now=NOW)  # in the past
    db.session.rollback()
    schedule(draft.id, JUNE, actor=world.users.staff, now=NOW)
    db.session.commit()
    with pytest.raises(VersionRefused):
        withdraw(draft.id, actor=world.users.staff, now=JUNE)  # already in effect
    with pytest.raises(VersionRefused):
        import_csv(draft.id, b"plan_term_id,resource_id,cost,msrp\n", actor=world.users.staff, now=NOW)  # not a draft


def test_a_later_version_expires_the_active_one(world, draft, clock):
    schedule(draft.id, JUNE, actor=world.users.staff, now=NOW)
    db.session.commit()
    second = create_draft(f.price_list(world.distributor, world.us), name="July", actor=world.users.staff, now=NOW)
    schedule(second.id, datetime(2026, 7, 1), actor=world.users.staff, now=NOW)
    db.session.commit()
    assert activate_due_versions(datetime(2026, 7, 2)) == 2
    assert [(v.number, v.state) for v in db.session.scalars(select(PriceListVersion).order_by(PriceListVersion.number))] == [
        (1, "expired"), (2, "active")]

"""A distributor price-list version as CSV (``app.catalog.price_versions``): its export, streamed
batch by batch; its import into a draft, all rows or none; and the resellers' e-mail attachment
of old and new prices."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.catalog.models import (
    Plan,
    PlanResource,
    PlanTerm,
    PriceListVersion,
    PriceListVersionRow,
    PriceListVersionState as State,
    Resource,
)
from app.catalog.price_versions import Item, VersionRefused, diff, lock_version
from app.core.csv_export import safe_cell
from app.core.errors import RefusalKind
from app.extensions import db
from app.money import minor_digits, plain_amount

CSV_COLUMNS = ("plan_term_id", "resource_id", "product", "plan", "term", "resource", "cost", "msrp")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


EXPORT_BATCH = 500


def export_chunk(version_id: int, after_id: int, *, header: bool) -> tuple[str, int | None]:
    """The CSV lines (the header first when ``header``) of the version's next rows after row
    ``after_id``, by row id, and the last row's id (``None`` when no row was left). Read batch
    by batch, so an export of any size streams with flat memory and holds no transaction."""
    version = db.session.get(PriceListVersion, version_id)
    digits = minor_digits(version.price_list.marketplace.currency)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(CSV_COLUMNS)
    statement = (
        select(PriceListVersionRow, PlanTerm, Plan, Resource)
        .join(PlanTerm, PlanTerm.id == PriceListVersionRow.plan_term_id).join(Plan, Plan.id == PlanTerm.plan_id)
        .outerjoin(Resource, Resource.id == PriceListVersionRow.resource_id)
        .where(PriceListVersionRow.version_id == version_id, PriceListVersionRow.id > after_id)
        .options(joinedload(Plan.product))
        .order_by(PriceListVersionRow.id).limit(EXPORT_BATCH)
    )
    last = None
    for row, term, plan, resource in db.session.execute(statement):
        writer.writerow((row.plan_term_id, row.resource_id or "", safe_cell(plan.product.name), safe_cell(plan.name),
                         safe_cell(term.name), safe_cell(resource.name if resource else ""), plain_amount(row.cost, digits), plain_amount(row.msrp, digits)))
        last = row.id
    return buffer.getvalue(), last


def export_rows(version: PriceListVersion):
    """The whole CSV, chunk by chunk (in the caller's app context)."""
    after, header = 0, True
    while after is not None:
        text, after = export_chunk(version.id, after, header=header)
        header = False
        if text:
            yield text


def _parse_money(text: str, digits: int, what: str) -> int:
    text = (text or "").strip()
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise ValueError(f"{what} \u201c{text[:20]}\u201d is not an amount") from None
    if not value.is_finite() or not text:
        raise ValueError(f"{what} \u201c{text[:20]}\u201d is not an amount")
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        raise ValueError(f"{what} {text} has more than {digits} decimals")
    if minor < 0:
        raise ValueError(f"{what} {text} is negative")
    if minor > 10**11:
        raise ValueError(f"{what} {text} is too large")
    return int(minor)


def import_csv(version_id: int, data: bytes, *, actor: User, now: datetime) -> int:
    """Replaces a draft's rows by the CSV's (columns as exported; ``product``, ``plan``, ``term``
    and ``resource`` are for people and ignored). Every row is checked first: the plan term
    exists, the resource is one of its plan's, no item twice, cost and MSRP are amounts of the
    currency, not negative. One bad row refuses the whole file, naming the row (as numbered in a
    spreadsheet, the header being row 1) and the reason; nothing is imported. Not committed."""
    version = lock_version(version_id)
    if version.state != State.DRAFT.value:
        raise VersionRefused("Only a draft can be imported into.")
    if len(data) > MAX_IMPORT_BYTES:
        raise VersionRefused("The file is larger than 5 MB.", kind=RefusalKind.INVALID)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VersionRefused("The file is not UTF-8 text (save it as CSV UTF-8).", kind=RefusalKind.INVALID) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in ("plan_term_id", "resource_id", "cost", "msrp") if name not in (reader.fieldnames or [])]
    if missing:
        raise VersionRefused(f"Row 1: the header lacks the column(s) {', '.join(missing)}.", kind=RefusalKind.INVALID)
    records = list(reader)
    term_ids = {int(r["plan_term_id"]) for r in records if (r.get("plan_term_id") or "").strip().isdigit()}
    plan_of_term = dict(db.session.execute(select(PlanTerm.id, PlanTerm.plan_id).where(PlanTerm.id.in_(term_ids))).all())
    resources_of_plan: dict[int, set[int]] = {}
    for plan_id, resource_id in db.session.execute(select(PlanResource.plan_id, PlanResource.resource_id)
                                                   .where(PlanResource.plan_id.in_(set(plan_of_term.values())))):
        resources_of_plan.setdefault(plan_id, set()).add(resource_id)
    digits = minor_digits(version.price_list.marketplace.currency)
    parsed: dict[Item, tuple[int, int]] = {}
    for number, record in enumerate(records, start=2):
        try:
            item, prices = _checked(record, plan_of_term, resources_of_plan, digits)
            if item in parsed:
                raise ValueError("this plan term and resource appear on an earlier row too")
        except ValueError as reason:
            raise VersionRefused(f"Row {number}: {reason}. Nothing was imported.", kind=RefusalKind.INVALID) from None
        parsed[item] = prices
    if not parsed:
        raise VersionRefused("The file has no price rows. Nothing was imported.", kind=RefusalKind.INVALID)
    db.session.execute(delete(PriceListVersionRow).where(PriceListVersionRow.version_id == version.id))
    db.session.add_all(PriceListVersionRow(version_id=version.id, plan_term_id=term_id, resource_id=resource_id,
                                           cost=cost, msrp=msrp) for (term_id, resource_id), (cost, msrp) in parsed.items())
    db.session.flush()
    db.session.expire(version, ["rows"])
    return len(parsed)


def _checked(record: dict, plan_of_term: dict, resources_of_plan: dict, digits: int) -> tuple[Item, tuple[int, int]]:
    if None in record or any(value is None for value in record.values()):
        raise ValueError("it does not have the header's number of columns")
    term_text, resource_text = (record["plan_term_id"] or "").strip(), (record["resource_id"] or "").strip()
    if not term_text.isdigit() or int(term_text) not in plan_of_term:
        raise ValueError(f"plan term \u201c{term_text[:20]}\u201d does not exist")
    term_id = int(term_text)
    resource_id = None
    if resource_text:
        if not resource_text.isdigit() or int(resource_text) not in resources_of_plan.get(plan_of_term[term_id], set()):
            raise ValueError(f"resource \u201c{resource_text[:20]}\u201d is not a resource of plan term {term_id}'s plan")
        resource_id = int(resource_text)
    cost = _parse_money(record["cost"], digits, "cost")
    msrp = _parse_money(record["msrp"], digits, "MSRP")
    return (term_id, resource_id), (cost, msrp)


def changes_csv(version_id: int) -> tuple[str, bytes] | None:
    """The e-mail's attachment: (file name, CSV) of every item whose cost or MSRP the version
    changes, adds or removes, old and new; None when the version is no longer scheduled or active."""
    version = db.session.get(PriceListVersion, version_id)
    if version is None or version.effective_from is None:
        return None
    digits = minor_digits(version.price_list.marketplace.currency)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("plan_term_id", "resource_id", "item", "change", "old_cost", "old_msrp", "new_cost", "new_msrp"))
    for line in diff(version, version.effective_from, changes_only=True):
        old, new = line.old or (None, None), line.new or (None, None)
        writer.writerow((line.plan_term_id, line.resource_id or "", safe_cell(line.label), line.change, plain_amount(old[0], digits),
                         plain_amount(old[1], digits), plain_amount(new[0], digits), plain_amount(new[1], digits)))
    name = f"prices-{version.price_list.marketplace.code.lower()}-{version.effective_from:%Y-%m-%d}.csv"
    return name, buffer.getvalue().encode("utf-8")

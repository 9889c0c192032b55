"""The distributor's price lists (/staff/price-lists): per marketplace, its versions; a version's
page shows its diff against the prices in effect before it, and schedules, withdraws, exports
and imports it. The rules are ``app.catalog.price_versions``'."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.back_office import bp
from app.catalog.models import PriceListVersion
from app.catalog.price_diff import diff_page
from app.catalog.price_list_csv import export_chunk, import_csv
from app.catalog.price_versions import (
    VersionRefused,
    create_draft,
    displayed_state,
    distributor_list,
    distributor_lists,
    parse_moment,
    schedule,
    versions_of,
    withdraw,
)
from app.control_panel.forms import ActionForm
from app.core.clock import current_now
from app.extensions import db
from app.money import Money
from app.core.numbers import page_number

DIFF_PAGE = 50
SHOWN = {"changes": "Changes only", "all": "Every row"}


@bp.get("/price-lists")
def price_lists():
    lists = distributor_lists()
    return render_template("back_office/price_lists/index.html", lists=lists,
                           versions=versions_of([price_list.id for price_list in lists]), now=current_now(),
                           displayed_state=displayed_state, form=ActionForm())


@bp.post("/price-lists/<int:list_id>/versions")
def new_price_list_version(list_id: int):
    version = create_draft(distributor_list(list_id), name=request.form.get("name", ""), actor=current_user, now=current_now())
    db.session.commit()
    flash(f"Draft version {version.number} holds the prices in effect now: export it, edit, import.", "success")
    return redirect(url_for("back_office.price_list_version", version_id=version.id))


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def _version_page(version: PriceListVersion, status: int = 200):
    show = request.args.get("show") if request.args.get("show") in SHOWN else "changes"
    diff = diff_page(version, current_now(), changes_only=show == "changes", page=page_number(request.args.get("page", "1")),
                     per_page=DIFF_PAGE)
    marketplace = version.price_list.marketplace
    return render_template("back_office/price_lists/version.html", version=version, show=show, shown=SHOWN,
                           lines=Page(diff.lines, diff.page, diff.pages, diff.total),
                           counts=diff.counts, state=displayed_state(version, current_now()), now=current_now(),
                           money_of=lambda minor: Money(minor, marketplace.currency).format(marketplace.locale),
                           form=ActionForm()), status


@bp.get("/price-lists/versions/<int:version_id>")
def price_list_version(version_id: int):
    return _version_page(db.get_or_404(PriceListVersion, version_id))


def _act(version_id: int, action, done: str):
    version = db.get_or_404(PriceListVersion, version_id)
    try:
        action(version)
        db.session.commit()
    except VersionRefused as refusal:
        db.session.rollback()
        flash(refusal.message, "danger")
        return _version_page(db.session.get(PriceListVersion, version_id), refusal.status)
    flash(done, "success")
    return redirect(url_for("back_office.price_list_version", version_id=version_id))


@bp.post("/price-lists/versions/<int:version_id>/schedule")
def schedule_price_list_version(version_id: int):
    return _act(version_id, lambda version: schedule(version.id, parse_moment(request.form.get("effective_from", "")),
                                                     actor=current_user, now=current_now()),
                "Scheduled. The resellers selling in this marketplace were e-mailed their old and new prices.")


@bp.post("/price-lists/versions/<int:version_id>/withdraw")
def withdraw_price_list_version(version_id: int):
    return _act(version_id, lambda version: withdraw(version.id, actor=current_user, now=current_now()),
                "Withdrawn: the version is a draft again and the prices stay as they were.")


@bp.post("/price-lists/versions/<int:version_id>/import")
def import_price_list_version(version_id: int):
    upload = request.files.get("file")
    data = upload.read(5 * 1024 * 1024 + 1) if upload is not None else b""
    return _act(version_id, lambda version: import_csv(version.id, data, actor=current_user, now=current_now()),
                "Imported: every row was valid.")


@bp.get("/price-lists/versions/<int:version_id>/export.csv")
def export_price_list_version(version_id: int):
    version = db.get_or_404(PriceListVersion, version_id)
    name = f"price-list-{version.price_list.marketplace.code.lower()}-v{version.number}.csv"
    return Response(_streamed(current_app._get_current_object(), version.id), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _streamed(app: Flask, version_id: int):
    """The CSV, read batch by batch while it is sent, each batch in a short app context of its
    own: no context stays pushed between chunks (``stream_with_context`` keeps the request's
    pushed from the view until the body is read, which breaks a client that reads only part)."""
    after, header = 0, True
    while after is not None:
        with app.app_context():
            text, after = export_chunk(version_id, after, header=header)
        header = False
        if text:
            yield text

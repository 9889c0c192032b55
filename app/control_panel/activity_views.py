"""The activity log pages shared by the panels (customer and reseller): the log of the
organisation the panel acts for, newest first, filtered (action, actor, days, text) and paged in
the query with the filter in the URL, and the same filtered query streamed as CSV.
``add_activity_pages(bp)`` adds them to a panel blueprint, whose guard has checked the role."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from app.accounts.access import acting_organisation, acting_scope
from app.accounts.activity import ACTIONS, ActivityEntry, ActivityFilter, activity_csv_rows, activity_listing, actors_in_log
from app.core.clock import current_now
from app.core.csv_export import streamed_csv
from app.extensions import db
from app.core.numbers import page_number

PER_PAGE = 25


def _own_log(wanted: ActivityFilter):
    # Its own log only, even for a reseller (its customers' logs are theirs) or staff.
    return acting_scope(customers=False, staff_sees_all=False).filter(activity_listing(wanted), ActivityEntry.organisation_id)


def activity():
    organisation = acting_organisation()
    wanted = ActivityFilter.from_args(request.args)
    page = request.args.get("page", "1")
    entries = db.paginate(_own_log(wanted), per_page=PER_PAGE, error_out=False,
                          page=page_number(page))
    return render_template("control_panel/activity/index.html", organisation=organisation, entries=entries,
                           wanted=wanted, actions=ACTIONS, actors=actors_in_log(organisation.id))


def activity_csv():
    statement = _own_log(ActivityFilter.from_args(request.args))
    return streamed_csv(lambda: activity_csv_rows(statement), f"activity-{current_now():%Y-%m-%d}.csv")


def add_activity_pages(bp: Blueprint) -> None:
    """``<bp>.activity`` (the page) and ``<bp>.activity_csv`` (its export) under ``bp``'s prefix."""
    bp.add_url_rule("/activity", "activity", activity)
    bp.add_url_rule("/activity.csv", "activity_csv", activity_csv)

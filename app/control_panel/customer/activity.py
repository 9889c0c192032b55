"""The activity log of the organisation the panel acts for (/customer/activity): newest first,
paged and filtered by action in the query, the filter in the URL."""
from __future__ import annotations

from flask import render_template, request

from app.accounts.access import acting_organisation, acting_scope
from app.accounts.activity import ACTIONS, ActivityEntry, activity_listing
from app.control_panel.customer import bp
from app.extensions import db

PER_PAGE = 25


@bp.get("/activity")
def activity():
    organisation = acting_organisation()
    action = request.args.get("action", "")
    action = action if action in ACTIONS else ""
    page = request.args.get("page", "1")
    # Its own log only, even for a reseller (its customers' logs are theirs) or staff.
    listing = acting_scope(customers=False, staff_sees_all=False).filter(activity_listing(action or None),
                                                                         ActivityEntry.organisation_id)
    entries = db.paginate(listing, per_page=PER_PAGE, error_out=False,
                          page=int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 1)
    return render_template("control_panel/customer/activity/index.html", organisation=organisation, entries=entries,
                           action=action, actions=ACTIONS)

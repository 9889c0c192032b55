"""The provisioning queue: failed and stuck fulfilment requests, retried or completed by hand;
every request by state (paged), and a vendor's question answered in the buyer's place."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.clock import current_now
from app.back_office import bp
from app.extensions import db
from app.provisioning.forms import AnswerForm, ManualCompletionForm, StaffActionForm
from app.provisioning.inquiries import AnswerRejected
from app.provisioning.models import FulfillmentRequest
from app.provisioning.staff import (STATE_FILTERS, StaffActionRefused, answer_for_buyer, complete_by_hand, requests_listing,
                                    retry_request, staff_queue)
from app.core.numbers import page_number

PER_PAGE = 50


@bp.get("/provisioning")
def provisioning():
    return _queue_page()


def _filters() -> tuple[str | None, str, int]:
    state = request.args.get("state")
    page = request.args.get("page", "1")
    return (state if state in STATE_FILTERS else None, request.args.get("q", "")[:40],
            page_number(page))


def _queue_page(complete_form: ManualCompletionForm | None = None, form_for: int | None = None, status: int = 200,
                answer_form: AnswerForm | None = None):
    state, search, page = _filters()
    now = current_now()
    listed = (db.paginate(requests_listing(state, search, now), page=page, per_page=PER_PAGE, error_out=False)
              if state or search else None)
    return render_template("back_office/provisioning.html", queue=None if listed is not None else staff_queue(now), listed=listed,
                           state=state, search=search, states=STATE_FILTERS, action_form=StaffActionForm(),
                           complete_form=complete_form or ManualCompletionForm(), answer_form=answer_form or AnswerForm(),
                           form_for=form_for), status


@bp.post("/provisioning/<int:request_id>/retry")
def retry(request_id: int):
    fulfillment = db.get_or_404(FulfillmentRequest, request_id)
    if not StaffActionForm().validate_on_submit():
        abort(400)
    try:
        retry_request(fulfillment, current_now())
        db.session.commit()
        flash(f"Request {request_id} is queued again.", "success")
    except StaffActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "danger")
    return redirect(url_for("back_office.provisioning"))


@bp.post("/provisioning/<int:request_id>/complete")
def complete(request_id: int):
    fulfillment = db.get_or_404(FulfillmentRequest, request_id)
    form = ManualCompletionForm()
    if not form.validate_on_submit():
        return _queue_page(form, request_id, 400)
    try:
        complete_by_hand(fulfillment, form.reason.data, form.vendor_reference.data or "", current_user, current_now())
        db.session.commit()
        flash(f"Request {request_id} is marked completed by hand.", "success")
    except StaffActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "danger")
    return redirect(url_for("back_office.provisioning"))


@bp.post("/provisioning/<int:request_id>/answer")
def answer_for_buyer_view(request_id: int):
    fulfillment = db.get_or_404(FulfillmentRequest, request_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _queue_page(form_for=request_id, status=400, answer_form=form)
    try:
        value = answer_for_buyer(fulfillment, form.value.data, current_user._get_current_object(), current_now())
        db.session.commit()
        flash(f"Request {request_id}: the answer \u201c{value}\u201d went to the vendor; provisioning continues.", "success")
    except AnswerRejected as refusal:
        db.session.rollback()
        flash(f"Request {request_id}: {refusal.message}", "danger")
    return redirect(url_for("back_office.provisioning", state="inquiring"))

"""The provisioning queue: failed and stuck fulfilment requests, retried or completed by hand."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.clock import current_now
from app.back_office import bp
from app.extensions import db
from app.provisioning.forms import ManualCompletionForm, StaffActionForm
from app.provisioning.models import FulfillmentRequest
from app.provisioning.staff import StaffActionRefused, complete_by_hand, retry_request, staff_queue


@bp.get("/provisioning")
def provisioning():
    return _queue_page()


def _queue_page(complete_form: ManualCompletionForm | None = None, form_for: int | None = None, status: int = 200):
    return render_template("back_office/provisioning.html", queue=staff_queue(current_now()), action_form=StaffActionForm(),
                           complete_form=complete_form or ManualCompletionForm(), form_for=form_for), status


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

import time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.clock import current_now
from app.extensions import csrf, db
from app.orders.models import Order
from app.orders.queries import order_for
from app.provisioning import bp
from app.provisioning.callbacks import CallbackRejected, handle_vendor_callback
from app.provisioning.forms import AnswerForm
from app.provisioning.inquiries import AnswerRejected, answer_question
from app.provisioning.models import FulfillmentRequest
from app.provisioning.signing import HEADER


def _order_for_viewer(number: str) -> Order:
    """The order if the signed-in organisation may see it (the order page's own rule), else 404."""
    order = order_for(number, current_user.organisation)
    if order is None:
        abort(404)
    return order


@bp.get("/provisioning/orders/<number>/progress")
@login_required
def order_progress(number: str):
    """The live progress fragment the order page polls (htmx)."""
    return render_template("provisioning/_order_progress.html", order=_order_for_viewer(number), refresh_header=True)


@bp.post("/provisioning/requests/<int:request_id>/answer")
@login_required
def answer(request_id: int):
    fulfillment = db.get_or_404(FulfillmentRequest, request_id)
    order = _order_for_viewer(fulfillment.order.number if fulfillment.order is not None else "")
    if not current_user.is_admin:
        abort(403)
    form, error = AnswerForm(), None
    try:
        if not form.validate_on_submit():
            raise AnswerRejected(next(iter(form.errors.values()))[0])
        answer_question(fulfillment, form.value.data, current_now())
        db.session.commit()
    except AnswerRejected as rejection:
        db.session.rollback()
        error = str(rejection)
    if request.headers.get("HX-Request"):  # htmx swaps only 2xx answers: the fragment shows the error
        return render_template("provisioning/_order_progress.html", order=order,
                               answer_errors={request_id: error} if error else {})
    if error:
        flash(f"Your answer was not sent: {error}", "danger")
    else:
        flash("Thank you: your answer was sent to the vendor and provisioning continues.", "success")
    return redirect(url_for("orders.detail", number=order.number))


@bp.post("/vendor/callback/<int:request_id>")
@csrf.exempt
def vendor_callback(request_id: int):
    """A vendor's answer to a webhook event it accepted with 202.

    Exempt from CSRF on purpose: the caller is the vendor's server, not a browser session, and
    no cookie grants anything here. Instead the body must carry a valid HMAC-SHA256 signature
    (``X-Marketplace-Signature: t=...,v1=...`` with the product's secret) no older than 300 s;
    otherwise 4xx and nothing changes.
    """
    try:
        state = handle_vendor_callback(request_id, request.get_data(), request.headers.get(HEADER), int(time.time()))
    except CallbackRejected as rejection:
        return {"error": str(rejection)}, rejection.status
    return {"status": "ok", "state": state}

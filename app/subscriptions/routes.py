from uuid import uuid4

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.accounts.access import admin_required, get_for_organisation
from app.extensions import db
from app.core.clock import current_now
from app.plans.errors import LifecycleRefused
from app.plans.models import Subscription
from app.plans.queries import subscription_counts
from app.subscriptions import bp
from app.subscriptions.forms import ActionForm, ChangeForm
from app.subscriptions.messages import cancel_message, change_message
from app.subscriptions.pages import (
    detail_page,
    overview_rows,
    requested_quantities,
    resource_rows,
    subscription_scope,
)


def _subscription(subscription_id: int) -> Subscription:
    """The subscription if the signed-in organisation may see it (its own, its customers'), else 404."""
    return get_for_organisation(Subscription, subscription_id, current_user.organisation)


@bp.get("/subscriptions")
@login_required
def index():
    scope = subscription_scope(current_user.organisation)
    return render_template("subscriptions/index.html", rows=overview_rows(scope), counts=subscription_counts(*scope))


@bp.get("/subscriptions/<int:subscription_id>")
@login_required
def detail(subscription_id: int):
    subscription = _subscription(subscription_id)
    page = detail_page(subscription, current_user.organisation, current_now())
    return render_template("subscriptions/detail.html", page=page, form=ActionForm())


@bp.route("/subscriptions/<int:subscription_id>/change", methods=["GET", "POST"])
@admin_required
def change(subscription_id: int):
    from app.orders.change_lines import preview_change
    from app.orders.placing import find_order

    subscription = _subscription(subscription_id)
    form, organisation = ChangeForm(), current_user.organisation
    if form.is_submitted() and find_order(subscription.payer_id, form.idempotency_key.data or ""):
        return redirect(url_for("subscriptions.detail", subscription_id=subscription.id))  # confirmed already
    rows, preview, refusal = resource_rows(subscription, organisation.is_customer), None, None
    if request.method == "GET":
        form.idempotency_key.data = uuid4().hex
    elif form.validate_on_submit():
        try:
            requested = requested_quantities(rows, request.form)
            preview = preview_change(subscription, requested, current_now(), by_customer=organisation.is_customer)
            if form.confirm.data and form.fingerprint.data:
                return _confirm(subscription, requested, form, preview)
            form.fingerprint.data = preview.change.fingerprint
        except LifecycleRefused as refused:
            refusal = refused
    status = 400 if refusal is not None or (form.is_submitted() and form.errors) else 200
    return render_template("subscriptions/change.html", subscription=subscription, form=form, rows=rows,
                           preview=preview, refusal=refusal, posted=request.form), status


def _confirm(subscription, requested, form, preview):
    from app.core.errors import QuoteChanged
    from app.orders.change_lines import ChangeRequest, place_change_order
    from app.orders.payments import PaymentFailed
    from app.orders.placing import CheckoutError

    change_request = ChangeRequest(subscription.id, requested, form.fingerprint.data, form.idempotency_key.data,
                                   placed_by=current_user, by_customer=current_user.organisation.is_customer)
    try:
        placed = place_change_order(change_request, current_now())
    except QuoteChanged as changed:
        flash(changed.message, "warning")
        form.fingerprint.data = changed.quote.change.fingerprint
        return render_template("subscriptions/change.html", subscription=subscription, form=form, refusal=None,
                               rows=resource_rows(subscription, current_user.organisation.is_customer),
                               preview=changed.quote, posted=request.form), 409
    except (CheckoutError, PaymentFailed) as refused:
        flash(refused.message, "danger")
        return render_template("subscriptions/change.html", subscription=subscription, form=form, refusal=None,
                               rows=resource_rows(subscription, current_user.organisation.is_customer),
                               preview=preview, posted=request.form), 400
    flash(*change_message(placed, preview, current_user.organisation))
    return redirect(url_for("subscriptions.detail", subscription_id=subscription.id))


def _act(subscription_id: int, action, success):
    """Runs one lifecycle action on a subscription the user may change, then back to its page."""
    subscription = _subscription(subscription_id)
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Please try again.", "warning")
    else:
        try:
            outcome = action(subscription.id, current_now())
            db.session.commit()
            flash(success(outcome), "success")
        except LifecycleRefused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
    return redirect(url_for("subscriptions.detail", subscription_id=subscription.id))


@bp.post("/subscriptions/<int:subscription_id>/cancel")
@admin_required
def cancel(subscription_id: int):
    from app.plans.actions import cancel_subscription

    return _act(subscription_id, cancel_subscription, cancel_message)


@bp.post("/subscriptions/<int:subscription_id>/resume")
@admin_required
def resume(subscription_id: int):
    from app.plans.actions import resume_subscription

    return _act(subscription_id, resume_subscription, lambda s: "The subscription is active again and renews as normal.")


@bp.post("/subscriptions/<int:subscription_id>/scheduled-change/withdraw")
@admin_required
def withdraw_decrease(subscription_id: int):
    from app.plans.actions import withdraw_decrease as withdraw

    return _act(subscription_id, withdraw, lambda change: "The scheduled decrease is withdrawn: nothing changes at the next period.")

"""The subscription pages (overview, detail, change resource limits, cancel, resume, withdraw a
decrease), added to each panel that shows them: the reseller panel, the customer panel and the
back office. The panel's guard has checked the viewer's role; every lookup goes through the
viewer's ``TenantScope``; every rule lives in ``app.plans`` and ``app.orders``."""
from __future__ import annotations

from uuid import uuid4

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import TenantScope, acting_organisation, acting_scope
from app.control_panel.forms import ActionForm, ChangeForm
from app.control_panel.subscription_history import provisioning_history
from app.control_panel.subscription_messages import cancel_message, change_message, resume_message, withdraw_message
from app.control_panel.subscription_pages import (
    detail_page,
    overview_page,
    preview_impact,
    price_tiers_for,
    requested_quantities,
    resource_rows,
)
from app.extensions import db
from app.core.clock import current_now
from app.core.errors import QuoteChanged
from app.orders.change_lines import ChangeRequest, place_change_order, preview_change
from app.orders.payments import PaymentFailed
from app.orders.placing import CheckoutError, find_order
from app.plans.actions import cancel_subscription, resume_subscription
from app.plans.actions import withdraw_decrease as withdraw
from app.plans.errors import LifecycleRefused
from app.plans.models import Subscription
from app.plans.queries import subscription_counts
from app.core.numbers import page_number

# Views only administrators use, whatever the method (the panels' guards read this).
ADMIN_VIEWS = ("change_subscription", "cancel_subscription", "resume_subscription", "withdraw_decrease")


def _scope() -> TenantScope:
    """The acting organisation's subscriptions and, for a reseller, its customers'; staff all."""
    return acting_scope()


def _subscription(subscription_id: int) -> Subscription:
    return _scope().get_or_404(Subscription, subscription_id, owner_column=Subscription.owner_id)


def _page_number() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


def overview():
    criteria = _scope().criteria(Subscription.owner_id)
    return render_template("control_panel/subscriptions/index.html", rows=overview_page(criteria, _page_number()),
                           counts=subscription_counts(*criteria))


def detail(subscription_id: int):
    subscription = _subscription(subscription_id)
    page = detail_page(subscription, acting_organisation(), current_now())
    return render_template("control_panel/subscriptions/detail.html", page=page, form=ActionForm())


def provisioning(subscription_id: int):
    """The provisioning history fragment the subscription's page polls (htmx) while a request runs."""
    subscription = _subscription(subscription_id)
    return render_template("control_panel/subscriptions/_provisioning.html", subscription=subscription,
                           history=provisioning_history(subscription))


def _detail_url(subscription: Subscription) -> str:
    return url_for(".subscription", subscription_id=subscription.id)


def change(subscription_id: int):
    subscription = _subscription(subscription_id)
    form, organisation = ChangeForm(), acting_organisation()
    if form.is_submitted() and find_order(subscription.payer_id, form.idempotency_key.data or ""):
        return redirect(_detail_url(subscription))  # confirmed already
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
    return _change_page(subscription, form, preview, status, rows=rows, refusal=refusal)


def _change_page(subscription, form, preview, status: int, rows=None, refusal=None):
    organisation = acting_organisation()
    rows = rows if rows is not None else resource_rows(subscription, organisation.is_customer)
    return render_template("control_panel/subscriptions/change.html", subscription=subscription, form=form, refusal=refusal,
                           rows=rows, preview=preview, posted=request.form, impact=preview_impact(preview),
                           price_tiers=price_tiers_for(organisation, subscription)), status


def _confirm(subscription, requested, form, preview):
    change_request = ChangeRequest(subscription.id, requested, form.fingerprint.data, form.idempotency_key.data,
                                   placed_by=current_user, by_customer=acting_organisation().is_customer)
    try:
        placed = place_change_order(change_request, current_now())
    except QuoteChanged as changed:
        flash(changed.message, "warning")
        form.fingerprint.data = changed.quote.change.fingerprint
        return _change_page(subscription, form, changed.quote, 409)
    except (CheckoutError, PaymentFailed) as refused:
        flash(refused.message, "danger")
        return _change_page(subscription, form, preview, 400)
    flash(*change_message(placed, preview, acting_organisation()))
    return redirect(_detail_url(subscription))


def _act(subscription_id: int, action, success):
    """Runs one lifecycle action on a subscription the user may change, then back to its page."""
    subscription = _subscription(subscription_id)
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Please try again.", "warning")
    else:
        try:
            outcome = action(subscription.id, current_now(), actor=current_user._get_current_object())
            db.session.commit()
            flash(success(outcome), "success")
        except LifecycleRefused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
    return redirect(_detail_url(subscription))


def _confirm_page(subscription_id: int, action: str):
    """The confirmation step of an action that gives up service or money: what it does, and
    the form that does it (no JavaScript needed)."""
    subscription = _subscription(subscription_id)
    page = detail_page(subscription, acting_organisation(), current_now())
    if (action == "cancel" and page.cancel_quote is None) or (action == "withdraw" and page.scheduled is None):
        flash("There is nothing to confirm: the subscription has changed since.", "warning")
        return redirect(_detail_url(subscription))
    return render_template("control_panel/subscriptions/confirm.html", page=page, action=action, form=ActionForm())


def cancel(subscription_id: int):
    if request.method == "GET":
        return _confirm_page(subscription_id, "cancel")
    return _act(subscription_id, cancel_subscription, cancel_message)


def resume(subscription_id: int):
    return _act(subscription_id, resume_subscription, resume_message)


def withdraw_decrease(subscription_id: int):
    if request.method == "GET":
        return _confirm_page(subscription_id, "withdraw")
    return _act(subscription_id, withdraw, withdraw_message)


def add_subscription_pages(bp: Blueprint) -> None:
    """The subscription pages under ``bp``'s prefix, as ``<bp>.subscriptions``,
    ``<bp>.subscription``, ``<bp>.subscription_provisioning`` (the live fragment) and the
    actions named in ``ADMIN_VIEWS``. Cancelling and withdrawing a decrease give something up:
    their GET is the confirmation page, their POST the action."""
    bp.add_url_rule("/subscriptions", "subscriptions", overview)
    bp.add_url_rule("/subscriptions/<int:subscription_id>", "subscription", detail)
    bp.add_url_rule("/subscriptions/<int:subscription_id>/provisioning", "subscription_provisioning", provisioning)
    bp.add_url_rule("/subscriptions/<int:subscription_id>/change", "change_subscription", change, methods=["GET", "POST"])
    bp.add_url_rule("/subscriptions/<int:subscription_id>/cancel", "cancel_subscription", cancel, methods=["GET", "POST"])
    bp.add_url_rule("/subscriptions/<int:subscription_id>/resume", "resume_subscription", resume, methods=["POST"])
    bp.add_url_rule("/subscriptions/<int:subscription_id>/scheduled-change/withdraw", "withdraw_decrease",
                    withdraw_decrease, methods=["GET", "POST"])

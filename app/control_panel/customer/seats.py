"""Seat assignment (/customer/subscriptions/<id>/seats): an administrator gives the seats of an
organisation subscription to users by e-mail, inviting those without an account, and frees
them; a single-user subscription shows the user it was activated for. Rules: ``app.plans.seats``."""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.access import TenantScope, acting_organisation
from app.accounts.members import member_status
from app.control_panel.customer import bp
from app.control_panel.member_forms import AssignSeatForm
from app.control_panel.forms import ActionForm
from app.core.clock import current_now
from app.core.errors import Refusal
from app.extensions import db
from app.mail.notices import member_invited
from app.plans import seats
from app.plans.models import Subscription


@dataclass(frozen=True)
class SeatPage:
    subscription: Subscription
    single_user: bool
    seats: int
    limit: int  # lower than ``seats`` while a decrease is pending
    rows: list  # (assignment, member status)
    activated_user: object | None


def _subscription(subscription_id: int) -> Subscription:
    return TenantScope(acting_organisation()).get_or_404(Subscription, subscription_id, owner_column=Subscription.owner_id)


def _page(subscription: Subscription, form: AssignSeatForm, status: int = 200):
    now = current_now()
    rows = [(a, member_status(a.user, now)) for a in seats.assignments_of(subscription.id)]
    single = seats.is_single_user(subscription)
    page = SeatPage(subscription, single, seats.seats_of(subscription), seats.seat_limit(subscription), rows,
                    seats.activated_user(subscription) if single else None)
    return render_template("control_panel/customer/seats/seats.html", page=page, form=form, action=ActionForm()), status


@bp.get("/subscriptions/<int:subscription_id>/seats")
def seats_page(subscription_id: int):
    return _page(_subscription(subscription_id), AssignSeatForm())


@bp.post("/subscriptions/<int:subscription_id>/seats")
def assign_seat(subscription_id: int):
    subscription, form = _subscription(subscription_id), AssignSeatForm()
    if not form.validate_on_submit():
        return _page(subscription, form, 400)
    now = current_now()
    try:
        assigned = seats.assign_seat(subscription.id, form.email.data, current_user, now)
        member_invited(assigned.invitation, subscription.owner, current_user, now, subscription=subscription)
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        form.email.errors.append(refused.message)
        return _page(_subscription(subscription_id), form, refused.status)
    invited = " and invited: the invitation e-mail is on its way" if assigned.invitation.token else ""
    flash(f"A seat is assigned to {assigned.assignment.user.email}{invited}.", "success")
    return redirect(url_for(".seats_page", subscription_id=subscription.id))


@bp.post("/subscriptions/<int:subscription_id>/seats/<int:assignment_id>/unassign")
def unassign_seat(subscription_id: int, assignment_id: int):
    subscription = _subscription(subscription_id)
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Please try again.", "warning")
        return redirect(url_for(".seats_page", subscription_id=subscription.id))
    try:
        freed = seats.unassign_seat(subscription.id, assignment_id)
        email = freed.user.email
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return _page(_subscription(subscription_id), AssignSeatForm(), refused.status)
    flash(f"The seat of {email} is free.", "success")
    return redirect(url_for(".seats_page", subscription_id=subscription.id))

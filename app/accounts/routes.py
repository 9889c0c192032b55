from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp
from app.accounts.forms import AcceptInvitationForm, ChangePasswordForm, SignInForm
from app.accounts.invitations import InvitationInvalid, accept_invitation, invited_user
from app.accounts.services import (
    PasswordTooWeak,
    SignInThrottled,
    ThrottlePolicy,
    WrongPassword,
    authenticate,
    change_password,
    is_safe_next,
)
from app.extensions import db


def _policy() -> ThrottlePolicy:
    return ThrottlePolicy(current_app.config["LOGIN_MAX_FAILURES"], current_app.config["LOGIN_FAILURE_WINDOW"])


@bp.route("/sign-in", methods=["GET", "POST"])
def login():
    form = SignInForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("catalog.index"))
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr or "unknown", _policy())
        except SignInThrottled as throttled:
            flash(str(throttled), "danger")
            return render_template("accounts/login.html", form=form), 429
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"Signed in as {user.email}.", "success")
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("catalog.index"))
        flash("That e-mail address and password do not match an account.", "danger")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.post("/sign-out")
@login_required
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("catalog.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data,
                            current_app.config["MIN_PASSWORD_LENGTH"])
        except WrongPassword as error:
            form.current_password.errors.append(str(error))
        except PasswordTooWeak as error:
            form.new_password.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your password was changed.", "success")
            return redirect(url_for("accounts.password"))
    if request.method == "POST":
        status = 400
    return render_template("accounts/password.html", form=form, min_length=current_app.config["MIN_PASSWORD_LENGTH"]), status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str):
    """An invited user chooses a password; the account is switched on and signed in."""
    try:
        user = invited_user(token)
    except InvitationInvalid as invalid:
        flash(invalid.buyer_message, "warning")
        return redirect(url_for("accounts.login"))
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            accept_invitation(token, form.new_password.data, current_app.config["MIN_PASSWORD_LENGTH"])
        except PasswordTooWeak as error:
            form.new_password.errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)
            flash(f"Welcome! Your account at {user.organisation.name} is active.", "success")
            return redirect(url_for("catalog.index"))
    return render_template("accounts/invitation.html", form=form, user=user,
                           min_length=current_app.config["MIN_PASSWORD_LENGTH"]), 400 if form.is_submitted() else 200

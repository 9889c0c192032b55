"""Sign-up, e-mail verification and password reset pages: thin views over
``app.accounts.signup``, ``verification`` and ``password_reset``; the e-mails come from
``app.mail.notices``."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from app.accounts.password_reset import PASSWORD_RESET_MAX_AGE, ResetLinkInvalid, account_to_reset, user_for_reset
from app.accounts.password_reset import reset_password as set_new_password
from app.accounts.services import PasswordTooWeak, ThrottlePolicy, Throttled, is_safe_next, throttle
from app.accounts.signup import SignUp, SignUpRefused, sign_up as create_account
from app.accounts.verification import AlreadyVerified, VerificationLinkInvalid, verify_email as confirm_email
from app.catalog.context import current_marketplace
from app.catalog.reference import all_marketplaces
from app.core.clock import current_now
from app.extensions import db
from app.mail import notices
from app.onboarding import bp
from app.onboarding.forms import ForgotPasswordForm, ResendVerificationForm, ResetPasswordForm, SignUpForm


def _policy(count: str, window: str) -> ThrottlePolicy:
    return ThrottlePolicy(current_app.config[count], current_app.config[window])


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _next_or(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


def _min_length() -> int:
    return current_app.config["MIN_PASSWORD_LENGTH"]


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    """An organisation opens an account with its first administrator, who is signed in at once
    and sent the verification link."""
    if current_user.is_authenticated:  # one account per session: sign out to open another
        return redirect(url_for("catalog.index"))
    form = SignUpForm(next=request.args.get("next", ""))
    marketplaces = all_marketplaces()
    form.region.choices = [(m.code, f"{m.name} ({m.currency})") for m in marketplaces.all]
    if request.method == "GET" and current_marketplace() is not None:
        form.region.data = current_marketplace().code
    if not form.validate_on_submit():
        return _sign_up_page(form, 400 if form.is_submitted() else 200)
    try:
        throttle("sign_up", form.email.data, _client_address(), _policy("SIGN_UP_MAX_ATTEMPTS", "SIGN_UP_WINDOW"))
        details = SignUp(form.organisation_name.data, form.name.data, form.email.data, form.password.data,
                         marketplaces.by_code[form.region.data].id)
        now = current_now()
        user = create_account(details, min_length=_min_length(), now=now)
    except Throttled as throttled:
        flash(str(throttled), "danger")
        return _sign_up_page(form, 429)
    except SignUpRefused as refused:
        getattr(form, refused.field or "", form.email).errors.append(refused.message)
        return _sign_up_page(form, 400)
    notices.email_verification(user, now)
    db.session.commit()
    login_user(user)
    flash(f"Welcome! Your account for {user.organisation.name} is open. We sent a link to {user.email}: "
          "open it to confirm your address before your first order.", "success")
    return redirect(url_for("onboarding.verification", next=_next_or(form.next.data, url_for("catalog.index"))))


def _sign_up_page(form, status: int):
    return render_template("onboarding/sign_up.html", form=form, min_length=_min_length()), status


@bp.get("/account/verify")
@login_required
def verification():
    """Where an unverified user hears what to do, and asks for a new link."""
    target = _next_or(request.args.get("next"), url_for("catalog.index"))
    if current_user.email_verified:
        return redirect(target)
    return render_template("onboarding/verification.html", form=ResendVerificationForm(next=target))


@bp.post("/account/verify")
@login_required
def resend_verification():
    form = ResendVerificationForm()
    target = _next_or(form.next.data, url_for("catalog.index"))
    if not form.validate_on_submit() or current_user.email_verified:
        return redirect(url_for("onboarding.verification", next=target), code=303)
    try:
        throttle("verification", current_user.email, _client_address(), _policy("EMAIL_LINK_MAX_REQUESTS", "EMAIL_LINK_WINDOW"))
    except Throttled as throttled:
        flash(str(throttled), "danger")
        return render_template("onboarding/verification.html", form=form), 429
    notices.email_verification(current_user, current_now())
    db.session.commit()
    flash(f"We sent a new link to {current_user.email}.", "success")
    return redirect(url_for("onboarding.verification", next=target), code=303)


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    """The link of the verification e-mail: the address is confirmed (it signs no one in)."""
    try:
        confirm_email(token, current_now())
    except AlreadyVerified as verified:
        flash(verified.message, "info")
    except VerificationLinkInvalid as invalid:
        flash(invalid.message, "warning")
        return redirect(url_for("onboarding.verification" if current_user.is_authenticated else "accounts.login"))
    else:
        db.session.commit()
        flash("Thank you: your e-mail address is confirmed. You can place orders now.", "success")
    return redirect(url_for("cart.show" if current_user.is_authenticated else "accounts.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Sends a reset link to the account of that address, if there is one, and answers the same
    either way (the page never tells whether an address has an account)."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("onboarding/forgot_password.html", form=form), 400 if form.is_submitted() else 200
    try:
        throttle("password_reset", form.email.data, _client_address(), _policy("EMAIL_LINK_MAX_REQUESTS", "EMAIL_LINK_WINDOW"))
    except Throttled as throttled:
        flash(str(throttled), "danger")
        return render_template("onboarding/forgot_password.html", form=form), 429
    user = account_to_reset(form.email.data)
    if user is not None:
        notices.password_reset(user, current_now())
        db.session.commit()
    minutes = int(PASSWORD_RESET_MAX_AGE.total_seconds() // 60)
    flash(f"If an account exists for {form.email.data.strip()}, we sent it a link to choose a new password. "
          f"The link works once, within {minutes} minutes.", "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The link of the reset e-mail: choose a new password, which voids the link."""
    try:
        user = user_for_reset(token)
    except ResetLinkInvalid as invalid:
        flash(invalid.message, "warning")
        return redirect(url_for("onboarding.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            set_new_password(token, form.new_password.data, _min_length(), current_now())
        except PasswordTooWeak as weak:
            form.new_password.errors.append(str(weak))
        else:
            db.session.commit()
            flash("Your password was changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.login"), code=303)
    return render_template("onboarding/reset_password.html", form=form, user=user,
                           min_length=_min_length()), 400 if form.is_submitted() else 200

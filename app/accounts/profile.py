"""A user's own profile (/account/profile): the name others see; the password is changed at
/account/password. Any signed-in user, whatever the role: it is their own account."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.accounts import bp
from app.accounts.forms import ProfileForm
from app.accounts.members import InvalidProfile, update_profile
from app.extensions import db


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(name=current_user.name)
    if form.validate_on_submit():
        try:
            update_profile(current_user, form.name.data)
        except InvalidProfile as invalid:
            form.name.errors.append(invalid.message)
        else:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 400 if form.is_submitted() else 200

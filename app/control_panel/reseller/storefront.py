"""The reseller's storefront settings (/reseller/storefront): name, tagline, contact, colours,
logo and, with Standard, its own domain. Rules in ``app.accounts.storefronts``."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.storefronts import MAX_LOGO_BYTES, Branding, StorefrontSettingRefused, save_branding, storefront_of
from app.control_panel.forms import StorefrontForm
from app.control_panel.reseller import bp
from app.core.clock import current_now
from app.extensions import db
from app.white_label.hosts import own_hosts


@bp.route("/storefront", methods=["GET", "POST"])
def storefront():
    mine = storefront_of(current_user.organisation_id)
    form = StorefrontForm(obj=mine) if mine is not None else StorefrontForm()
    if mine is None or not form.validate_on_submit():
        status = 400 if form.is_submitted() and mine is not None else 200
        return render_template("control_panel/reseller/storefront.html", storefront=mine, form=form), status
    upload = request.files.get("logo")
    logo = upload.stream.read(MAX_LOGO_BYTES + 1) if upload is not None and upload.filename else None
    branding = Branding(form.display_name.data, form.tagline.data, form.contact_email.data, form.contact_phone.data,
                        form.primary_colour.data, form.accent_colour.data, form.custom_domain.data)
    try:
        save_branding(current_user.organisation_id, branding, logo=logo, remove_logo=form.remove_logo.data,
                      own_hosts=own_hosts(), now=current_now())
    except StorefrontSettingRefused as refused:
        db.session.rollback()
        target = getattr(form, refused.field, None) if refused.field else None
        if target is None:
            flash(str(refused), "danger")
        else:
            target.errors = [str(refused)]
        return render_template("control_panel/reseller/storefront.html", storefront=storefront_of(current_user.organisation_id),
                               form=form), 422
    db.session.commit()
    flash("Your storefront settings are saved.", "success")
    return redirect(url_for("reseller.storefront"))

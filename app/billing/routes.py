from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import admin_required
from app.accounts.services import is_safe_next
from app.billing import bp
from app.billing.forms import BillingInfoForm
from app.billing.services import credit_position, save_billing_info
from app.catalog.context import current_marketplace
from app.extensions import db


@bp.route("/account/billing", methods=["GET", "POST"])
@admin_required
def edit_billing_info():
    organisation = current_user.organisation
    info = organisation.billing_info
    marketplace = current_marketplace()
    form = BillingInfoForm(obj=info, next=request.args.get("next", ""), locale=marketplace.locale if marketplace else "en")
    if form.validate_on_submit():
        save_billing_info(organisation, form.data, actor=current_user._get_current_object())
        db.session.commit()
        flash("Billing information saved.", "success")
        target = form.next.data
        return redirect(target if is_safe_next(target) else url_for("billing.edit_billing_info"))
    return render_template("billing/billing_info.html", form=form, credit=credit_position(organisation),
                           organisation=organisation), 400 if form.is_submitted() else 200

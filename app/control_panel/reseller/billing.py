"""The reseller's billing (/reseller/billing): its billing information (required before its
first purchase; edited with the form and service of ``app.billing``), its card on file (saved
through the payments card page), its on-account credit (limit, used, remaining:
``app.billing.services.credit_position``, the checkout's own rule) and its latest invoices. The
invoice pages themselves are the panels' shared ones (``invoice_views``)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.access import acting_organisation
from app.billing.countries import country_name
from app.billing.forms import BillingInfoForm
from app.billing.queries import invoices_page
from app.billing.services import credit_position, save_billing_info
from app.catalog.reference import all_marketplaces
from app.control_panel.reseller import bp
from app.extensions import db
from app.payments.cards import payment_account

LATEST_INVOICES = 5


def _locale(organisation) -> str:
    marketplace = all_marketplaces().by_id.get(organisation.marketplace_id)
    return marketplace.locale if marketplace is not None else "en"


@bp.get("/billing")
def billing():
    organisation = acting_organisation()
    info = organisation.billing_info
    return render_template("control_panel/reseller/billing/index.html", organisation=organisation, info=info,
                           country=country_name(info.country, _locale(organisation)) if info else "",
                           account=payment_account(organisation),
                           credit=credit_position(organisation),
                           invoices=invoices_page(organisation, 1, per_page=LATEST_INVOICES))


@bp.route("/billing/information", methods=["GET", "POST"])
def edit_billing_information():
    """Administrators only (the guard): members see the information on /reseller/billing."""
    organisation = acting_organisation()
    form = BillingInfoForm(obj=organisation.billing_info, locale=_locale(organisation))
    if form.validate_on_submit():
        save_billing_info(organisation, form.data, actor=current_user._get_current_object())
        db.session.commit()
        flash("Billing information saved.", "success")
        return redirect(url_for(".billing"), code=303)
    return render_template("control_panel/reseller/billing/information.html", form=form,
                           organisation=organisation), 400 if form.is_submitted() else 200

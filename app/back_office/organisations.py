"""Organisations for distributor staff: search, the tree, one organisation's page where staff
switch reselling and set the credit limit and payment terms. Rules live in
``app.accounts.reselling`` and ``app.accounts.directory``."""
from __future__ import annotations

import secrets

from babel.numbers import get_currency_precision
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts import directory
from app.accounts.models import Organisation
from app.accounts.reselling import OrganisationSettingRefused, set_account_terms, set_reselling
from app.back_office import bp
from app.back_office.forms import AccountTermsForm, AssignStorefrontForm, ResellingForm
from app.core.clock import current_now
from app.core.errors import Refusal
from app.extensions import db
from app.orders.staff_assignment import assign_storefront_plan, assignable_terms
from app.core.numbers import page_number


def _page() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


@bp.get("/organisations")
def organisations():
    query, kind = request.args.get("q", "")[:directory.MAX_QUERY_LENGTH], request.args.get("kind") or None
    found = directory.search_organisations(query, kind, _page())
    return render_template("back_office/organisations.html", found=found, query=query, kind=kind, kinds=directory.KINDS,
                           counts=directory.child_counts([organisation.id for organisation in found.items]))


@bp.get("/organisations/tree")
def organisation_tree():
    top = directory.distributor()
    return render_template("back_office/organisation_tree.html", level=directory.tree_level(top, _page()) if top else None)


@bp.get("/organisations/<int:organisation_id>/children")
def organisation_children(organisation_id: int):
    """One page of an organisation's children: a fragment for the tree's "expand" (htmx), else a page."""
    level = directory.tree_level(db.get_or_404(Organisation, organisation_id), _page())
    template = "back_office/_tree_level.html" if request.headers.get("HX-Request") else "back_office/organisation_tree.html"
    return render_template(template, level=level)


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int):
    return _organisation_page(db.get_or_404(Organisation, organisation_id))


def _organisation_page(organisation: Organisation, terms_form: AccountTermsForm | None = None, status: int = 200):
    if terms_form is None:
        terms_form = AccountTermsForm(payment_terms_days=str(organisation.payment_terms_days),
                                      credit_limit=_amount_text(organisation))
    return render_template("back_office/organisation.html", organisation=organisation, terms_form=terms_form,
                           reselling_form=ResellingForm(), users=directory.users_page(organisation, _page()),
                           path=directory.ancestors(organisation),
                           children=directory.tree_level(organisation, 1, per_page=10),
                           storefront_terms=assignable_terms(organisation) if organisation.acts_as_reseller else [],
                           assign_form=AssignStorefrontForm(), assign_key=secrets.token_hex(16)), status


def _amount_text(organisation: Organisation) -> str:
    if organisation.credit_limit is None or organisation.marketplace is None:
        return ""
    precision = get_currency_precision(organisation.marketplace.currency)
    whole, part = divmod(organisation.credit_limit, 10**precision)
    return f"{whole}.{part:0{precision}d}" if precision else str(whole)


@bp.post("/organisations/<int:organisation_id>/reselling")
def organisation_reselling(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = ResellingForm()
    if not form.validate_on_submit():
        flash("The form expired or was incomplete: try again.", "danger")
        return redirect(url_for("back_office.organisation", organisation_id=organisation.id))
    try:
        set_reselling(organisation.id, form.enabled.data == "1", actor=current_user, now=current_now())
        db.session.commit()
        flash(f"Reselling is {'on' if form.enabled.data == '1' else 'off'} for {organisation.name}.", "success")
    except OrganisationSettingRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "danger")
    return redirect(url_for("back_office.organisation", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/account-terms")
def organisation_account_terms(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = AccountTermsForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation, form, 400)
    try:
        set_account_terms(organisation.id, form.credit_limit.data, form.payment_terms_days.data, actor=current_user,
                          now=current_now())
    except OrganisationSettingRefused as refusal:
        db.session.rollback()
        getattr(form, refusal.field or "credit_limit").errors = [str(refusal)]
        return _organisation_page(db.session.get(Organisation, organisation_id), form, 422)
    db.session.commit()
    flash(f"Credit limit and payment terms of {organisation.name} are saved.", "success")
    return redirect(url_for("back_office.organisation", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/storefront-plan")
def organisation_storefront_plan(organisation_id: int):
    """Assigns a Reseller Storefront plan: the reseller's order through the one checkout."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = AssignStorefrontForm()
    if not form.validate_on_submit():
        flash("The form expired or was incomplete: reload the page and try again.", "danger")
        return redirect(url_for("back_office.organisation", organisation_id=organisation.id))
    try:
        order = assign_storefront_plan(organisation.id, int(form.plan_term_id.data), form.fingerprint.data,
                                       form.idempotency_key.data, staff_user=current_user, now=current_now())
        flash(f"Order {order.number} placed for {organisation.name}: the storefront opens once it is provisioned.", "success")
    except Refusal as refusal:
        db.session.rollback()
        flash(str(refusal), "danger")
    return redirect(url_for("back_office.organisation", organisation_id=organisation.id))

"""The API keys page (``<panel>/api-keys``), mounted on the reseller and the customer panels:
an organisation's administrators create keys for the partner API (the key is shown once, on
the page that created it), list them by prefix and revoke them. Every rule is in
``app.api.keys``."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.accounts.access import acting_organisation
from app.api.keys import MAX_KEY_NAME, create_key, keys_of, revoke_key
from app.control_panel.forms import ActionForm
from app.core.clock import current_now
from app.core.errors import Refusal
from app.extensions import db

# Administrators only, reading included (the panels' guards read this).
API_KEY_VIEWS = ("api_keys", "create_api_key", "revoke_api_key")
SCOPE_CHOICES = [("read", "Read only: lists and details"),
                 ("write", "Read and write: also orders, changes, cancellations")]


class ApiKeyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="Give the key a name."), Length(max=MAX_KEY_NAME)],
                       description="Say what uses it, e.g. \u201cAutotask sync\u201d.")
    scope = RadioField("Access", choices=SCOPE_CHOICES, default="read")
    submit = SubmitField("Create the key")


def _own_organisation():
    """The signed-in administrator's own organisation: keys are its credentials, so a reseller
    working in its customer's panel (support mode) does not manage the customer's keys (404)."""
    organisation = acting_organisation()
    if organisation.id != current_user.organisation_id:
        abort(404)
    return organisation


def _page(form: ApiKeyForm | None = None, created=None, status: int = 200):
    response = render_template("control_panel/api_keys.html", keys=keys_of(_own_organisation()),
                               form=form or ApiKeyForm(), created=created, action=ActionForm(), now=current_now())
    headers = {"Cache-Control": "no-store"} if created is not None else {}
    return response, status, headers


def api_keys():
    return _page()


def create_api_key():
    _own_organisation()
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        created = create_key(_own_organisation(), form.name.data, form.scope.data, current_user, current_now())
        db.session.commit()
    except Refusal as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return _page(form, status=refused.status)
    return _page(ApiKeyForm(formdata=None), created=created, status=201)


def revoke_api_key(key_id: int):
    _own_organisation()
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Please try again.", "warning")
        return redirect(url_for(".api_keys"))
    key = revoke_key(_own_organisation(), key_id, current_user, current_now())  # another tenant's key: 404
    db.session.commit()
    flash(f"The key {key.name} ({key.prefix}) is revoked: requests with it are refused from now on.", "success")
    return redirect(url_for(".api_keys"))


def add_api_key_pages(bp: Blueprint) -> None:
    """The API keys page under ``bp``'s prefix: ``<bp>.api_keys`` (list and form),
    ``<bp>.create_api_key``, ``<bp>.revoke_api_key``."""
    bp.add_url_rule("/api-keys", "api_keys", api_keys)
    bp.add_url_rule("/api-keys", "create_api_key", create_api_key, methods=["POST"])
    bp.add_url_rule("/api-keys/<int:key_id>/revoke", "revoke_api_key", revoke_api_key, methods=["POST"])

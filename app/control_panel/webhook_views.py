"""The webhook pages, mounted on the reseller panel and the customer panel: the acting
organisation's endpoints (register, enable, disable, delete, send a test event) and each
endpoint's delivery log (paged, filtered by state in the URL, with "redeliver"). Every rule is
in ``app.webhooks.endpoints``; every view is for administrators (``WEBHOOK_ADMIN_VIEWS``)."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import acting_organisation
from app.control_panel.forms import ActionForm
from app.control_panel.webhook_forms import EndpointForm
from app.core.clock import current_now
from app.extensions import db
from app.webhooks import endpoints as service
from app.webhooks.models import DeliveryState
from app.core.numbers import page_number

WEBHOOK_ADMIN_VIEWS = ("webhooks", "create_webhook", "webhook", "enable_webhook", "disable_webhook", "delete_webhook",
                       "test_webhook", "redeliver_webhook")
PER_PAGE = 25


def _page() -> int:
    page = request.args.get("page", "1")
    return page_number(page)


def _list_page(form: EndpointForm, status: int = 200, created=None):
    listing = db.paginate(service.endpoints_listing(acting_organisation()), page=_page(), per_page=PER_PAGE, error_out=False)
    response = make_response(render_template("control_panel/webhooks/index.html", endpoints=listing, form=form,
                                             action=ActionForm(), created=created), status)
    if created is not None:
        response.headers["Cache-Control"] = "no-store"  # the secret is on this page, once
    return response


def index():
    return _list_page(EndpointForm())


def create():
    form = EndpointForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    try:
        endpoint = service.register_endpoint(acting_organisation(), form.url.data, form.event_types.data, form.description.data,
                                             user=current_user, now=current_now())
    except service.WebhookRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return _list_page(form, refused.status)
    db.session.commit()
    return _list_page(EndpointForm(formdata=None), 201, created=endpoint)


def detail(endpoint_id: int):
    endpoint = service.endpoint_of(acting_organisation(), endpoint_id)
    state = request.args.get("state", "")
    state = state if state in {s.value for s in DeliveryState} else ""
    deliveries = db.paginate(service.deliveries_listing(endpoint, state or None), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("control_panel/webhooks/detail.html", endpoint=endpoint, deliveries=deliveries, state=state,
                           states=[s.value for s in DeliveryState], action=ActionForm())


def _act(endpoint_id: int, act, message: str, back: str = "detail"):
    """Runs one endpoint action (the form's CSRF token checked), commits, and goes back."""
    organisation = acting_organisation()
    service.endpoint_of(organisation, endpoint_id)  # 404 before anything else
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Please try again.", "warning")
    else:
        try:
            act(organisation)
            db.session.commit()
            flash(message, "success")
        except service.WebhookRefused as refused:
            db.session.rollback()
            flash(refused.message, "danger")
    if back == "index":
        return redirect(url_for(".webhooks"))
    return redirect(url_for(".webhook", endpoint_id=endpoint_id))


def enable(endpoint_id: int):
    return _act(endpoint_id, lambda org: service.set_enabled(org, endpoint_id, True, current_now()), "The endpoint is enabled.")


def disable(endpoint_id: int):
    return _act(endpoint_id, lambda org: service.set_enabled(org, endpoint_id, False, current_now()), "The endpoint is disabled.")


def remove(endpoint_id: int):
    return _act(endpoint_id, lambda org: service.delete_endpoint(org, endpoint_id), "The endpoint was deleted.", back="index")


def send_test(endpoint_id: int):
    return _act(endpoint_id, lambda org: service.send_test_event(org, endpoint_id, current_now()),
                "A test event is on its way: it appears in the log below.")


def redeliver(endpoint_id: int, delivery_id: int):
    return _act(endpoint_id, lambda org: service.redeliver(org, endpoint_id, delivery_id, current_now()),
                "The event will be sent again in a moment.")


def add_webhook_pages(bp: Blueprint) -> None:
    """The webhook pages under ``bp``'s prefix: ``<bp>.webhooks`` (list and register),
    ``<bp>.webhook`` (an endpoint's delivery log) and its actions (POST only)."""
    bp.add_url_rule("/webhooks", "webhooks", index)
    bp.add_url_rule("/webhooks", "create_webhook", create, methods=["POST"])
    bp.add_url_rule("/webhooks/<int:endpoint_id>", "webhook", detail)
    bp.add_url_rule("/webhooks/<int:endpoint_id>/enable", "enable_webhook", enable, methods=["POST"])
    bp.add_url_rule("/webhooks/<int:endpoint_id>/disable", "disable_webhook", disable, methods=["POST"])
    bp.add_url_rule("/webhooks/<int:endpoint_id>/delete", "delete_webhook", remove, methods=["POST"])
    bp.add_url_rule("/webhooks/<int:endpoint_id>/test", "test_webhook", send_test, methods=["POST"])
    bp.add_url_rule("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver", "redeliver_webhook", redeliver,
                    methods=["POST"])

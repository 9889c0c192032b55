"""The reseller's customer prices (/reseller/prices): per plan term and resource of the plans
for customers, its price beside its cost, the MSRP and the margin; set a price or a markup now
or from a date; withdraw a scheduled one. The rules are ``app.catalog.price_changes``'."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.services import is_safe_next

from app.catalog.price_changes import ItemKind, PriceChangeRefused, apply_price_form, find_item, withdraw_scheduled_price
from app.catalog.reseller_prices import price_line, price_page, reseller_marketplaces
from app.control_panel.forms import ActionForm
from app.control_panel.reseller import bp
from app.core.clock import current_now
from app.core.errors import RefusalKind
from app.extensions import db
from app.core.numbers import whole_number

PER_PAGE = 20


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return whole_number(value)


@bp.get("/prices")
def prices():
    listing = price_page(current_user.organisation, _int_arg("m"), request.args.get("q", ""), _int_arg("page") or 1,
                         PER_PAGE, current_now())
    return render_template("control_panel/reseller/prices/index.html", listing=listing, form=ActionForm())


def _item():
    marketplace = next((m for m in reseller_marketplaces(current_user.organisation) if m.id == _int_arg("m")), None)
    if marketplace is None or _int_arg("term") is None:
        raise PriceChangeRefused("No such price.", kind=RefusalKind.NOT_FOUND)
    return find_item(marketplace, _int_arg("term"), _int_arg("resource"))


@bp.route("/prices/edit", methods=["GET", "POST"])
def edit_price():
    item, now, status = _item(), current_now(), 200
    if request.method == "POST":
        try:
            change = apply_price_form(current_user.organisation, item, request.form, actor=current_user, now=now)
            db.session.commit()
        except PriceChangeRefused as refusal:
            db.session.rollback()
            flash(refusal.message, "danger")
            status = refusal.status
        else:
            flash(f"{'Scheduled' if change.scheduled else 'Saved'}: {item.label}.", "success")
            if change.below_cost:
                flash(f"This price is below your cost: you lose {change.loss.format(item.marketplace.locale)} "
                      "on each sale.", "warning")
            return redirect(url_for("reseller.prices", m=item.marketplace.id, q=request.args.get("q") or None))
    line = price_line(current_user.organisation, item, now)
    return render_template("control_panel/reseller/prices/edit.html", line=line, item=item, form=ActionForm(),
                           values=request.form, now=now), status


@bp.post("/prices/scheduled/<any(plan, resource):kind>/<int:row_id>/withdraw")
def withdraw_price(kind: str, row_id: int):
    withdraw_scheduled_price(current_user.organisation, ItemKind(kind), row_id, actor=current_user, now=current_now())
    db.session.commit()
    flash("The scheduled price was withdrawn.", "success")
    target = request.form.get("next") or ""
    return redirect(target if is_safe_next(target) and target.startswith(url_for("reseller.prices"))
                    else url_for("reseller.prices"))

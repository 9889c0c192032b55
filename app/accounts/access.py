"""Access rules for views: role decorators and the one tenant-scoping helper.

Every query in a panel goes through ``get_for_organisation`` (or filters by the same rule), so
an id that belongs to another tenant is simply not found: 404, never 403.
"""
from __future__ import annotations

from collections.abc import Collection
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db


def staff_required(view):
    """Distributor staff only; anyone else gets 404 (the back office does not exist for them)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.organisation.is_distributor:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """Organisation administrators only (they may buy, change and invite); members get 403."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def reseller_required(view):
    """Admins of an organisation with reselling enabled; anyone else gets 404."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not (current_user.organisation.acts_as_reseller and current_user.is_admin):
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def visible_organisation_ids(organisation, among: Collection[int] | None = None) -> list[int]:
    """The organisation itself and, for a reseller, its customers: whose data it may see.
    With ``among``, only those of these ids (a reseller may have thousands of customers; a
    check about a few ids reads only those)."""
    from app.accounts.models import Organisation

    ids = [organisation.id] if among is None or organisation.id in among else []
    if organisation.acts_as_reseller and (among is None or among):
        customers = select(Organisation.id).where(Organisation.parent_id == organisation.id)
        if among is not None:
            customers = customers.where(Organisation.id.in_(among))
        ids += list(db.session.scalars(customers))
    return ids


def get_for_organisation(model, object_id, organisation, column: str = "owner_id"):
    """``model`` row ``object_id`` when ``column`` names an organisation the caller may see,
    else 404. Distributor staff see everything."""
    row = db.session.get(model, object_id) if isinstance(object_id, int) else None
    if row is None:
        abort(404)
    if organisation.is_distributor:
        return row
    owner = getattr(row, column)
    if owner not in visible_organisation_ids(organisation, among=[owner] if isinstance(owner, int) else []):
        abort(404)
    return row

"""Access rules for views: the one tenant scope and the role guards of the panels.

Every query of tenant data in a panel, the back office or a buyer's page goes through a
``TenantScope``, so an id that belongs to another tenant is simply not found: 404, never 403.
Each panel blueprint checks its audience once, in ``before_request`` (``panel_guard``).

Who a request acts for is ``acting_organisation()``: the signed-in user's organisation, except
in the customer panel while its reseller's administrator holds a support session
(``app.accounts.support``), where it is that customer. The customer panel's guard, its scope
(``acting_scope``) and its views all read it there, and nowhere else.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from functools import wraps

from flask import abort, current_app, g, request, session
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from app.accounts.models import Organisation
from app.accounts.support import SupportGrant, grant_holds
from app.core.clock import current_now
from app.extensions import db

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TenantScope:
    """What ``organisation`` may see of tenant data: its own rows and, with ``customers`` (the
    default), the rows of the customers it sells to when it acts as a reseller; distributor
    staff see every row unless ``staff_sees_all`` is off.

    The visibility each page has is an option, never a second helper: orders are their buyer's
    only (``customers=False``), a payment is its buyer's even for staff
    (``customers=False, staff_sees_all=False``), invoices their payer's and its seller's (the
    default). ``owner_column`` names the column holding the owning organisation's id.
    """

    def __init__(self, organisation: Organisation, *, customers: bool = True, staff_sees_all: bool = True) -> None:
        self.organisation = organisation
        self.customers = customers
        self.staff_sees_all = staff_sees_all

    @property
    def sees_everything(self) -> bool:
        return self.staff_sees_all and self.organisation.is_distributor

    def criteria(self, owner_column) -> tuple:
        """The WHERE criteria (none for staff who see everything), for ``.where(*criteria)``."""
        if self.sees_everything:
            return ()
        own = owner_column == self.organisation.id
        if self.customers and self.organisation.acts_as_reseller:
            customers = select(Organisation.id).where(Organisation.parent_id == self.organisation.id)
            return (or_(own, owner_column.in_(customers)),)
        return (own,)

    def filter(self, statement, owner_column):
        """``statement`` limited to the rows in scope."""
        return statement.where(*self.criteria(owner_column))

    def one_or_none(self, statement, owner_column):
        """The first row of ``statement`` in scope, else None."""
        return db.session.scalar(self.filter(statement, owner_column))

    def one_or_404(self, statement, owner_column):
        """The first row of ``statement`` in scope, else 404 (another tenant's row is not found)."""
        row = self.one_or_none(statement, owner_column)
        if row is None:
            abort(404)
        return row

    def get_or_404(self, model, object_id, owner_column=None):
        """``model`` row ``object_id`` when in scope (``owner_column`` defaults to
        ``model.owner_id``), else 404."""
        if not isinstance(object_id, int):
            abort(404)
        column = model.owner_id if owner_column is None else owner_column
        return self.one_or_404(select(model).where(model.id == object_id), column)


# The panel a support session acts in, and where the session cookie keeps its grant.
SUPPORT_PANEL = "customer"
SUPPORT_SESSION_KEY = "support"


def support_grant() -> SupportGrant | None:
    """The support grant the session holds (valid or not), else None."""
    data = session.get(SUPPORT_SESSION_KEY)
    return SupportGrant.from_dict(data) if data else None


def supported_organisation() -> Organisation | None:
    """The customer whose panel the signed-in user works in as its reseller, while the grant
    still holds (``app.accounts.support.grant_holds``), else None. Read once per request."""
    grant = support_grant()
    if grant is None or not current_user.is_authenticated:
        return None
    key = (grant, current_user.id)
    cached = g.get("_supported_organisation")
    if cached is None or cached[0] != key:
        cached = (key, grant_holds(grant, current_user, current_now()))
        g._supported_organisation = cached
    return cached[1]


def acting_organisation() -> Organisation:
    """The organisation this request acts for: for the partner API, the organisation of the
    request's API key (``app.api.auth`` sets ``g.api_organisation``); in the customer panel
    during a support session, the supported customer; everywhere else the signed-in user's own."""
    api_organisation = g.get("api_organisation")
    if api_organisation is not None:
        return api_organisation
    if request.blueprint == SUPPORT_PANEL:
        customer = supported_organisation()
        if customer is not None:
            return customer
    return current_user.organisation


def acting_scope(**options) -> TenantScope:
    """The ``TenantScope`` of ``acting_organisation()`` (options as ``TenantScope``'s)."""
    return TenantScope(acting_organisation(), **options)


def visible_organisation_ids(organisation, among: Collection[int] | None = None) -> list[int]:
    """The organisation itself and, for a reseller, its customers: whose data it may see.
    With ``among``, only those of these ids (a reseller may have thousands of customers; a
    check about a few ids reads only those). For checks on ids, not for queries: those use
    ``TenantScope``."""
    ids = [organisation.id] if among is None or organisation.id in among else []
    if organisation.acts_as_reseller and (among is None or among):
        customers = select(Organisation.id).where(Organisation.parent_id == organisation.id)
        if among is not None:
            customers = customers.where(Organisation.id.in_(among))
        ids += list(db.session.scalars(customers))
    return ids


def admin_required(view):
    """Organisation administrators only (they may buy, change and invite); members get 403.
    For pages outside the panels; a panel's blueprint checks roles in its guard."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def panel_guard(audience: Callable[[Organisation], bool], *, members_write: bool = False,
                admin_endpoints: Iterable[str] = ()):
    """A ``before_request`` for a panel blueprint: anonymous visitors are sent to sign in, users
    whose acting organisation (``acting_organisation()``) is outside ``audience`` get 404 (the
    panel does not exist for them), and members (not administrators) get 403 on
    ``admin_endpoints`` (view names without the blueprint) and, unless ``members_write``, on
    every request that is not a read."""
    admin_only = frozenset(admin_endpoints)

    def guard():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not audience(acting_organisation()):
            abort(404)
        view = (request.endpoint or "").rpartition(".")[2]
        if not current_user.is_admin and (view in admin_only or (not members_write and request.method not in READ_METHODS)):
            abort(403)
        return None

    return guard


def is_reseller(organisation: Organisation) -> bool:
    """The reseller panel's audience: organisations the distributor enabled for reselling."""
    return organisation.acts_as_reseller


def is_buyer(organisation: Organisation) -> bool:
    """The customer panel's audience: every organisation but the distributor."""
    return not organisation.is_distributor


def is_staff(organisation: Organisation) -> bool:
    """The back office's audience: the distributor's own users."""
    return organisation.is_distributor

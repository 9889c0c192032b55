"""Stale storefront cache entries are impossible to forget: any session that inserts, updates or
deletes a catalog or price row (through the unit of work, or a bulk ``insert()``/``update()``/
``delete()`` run by the session) bumps the catalog version once it commits.

Not seen: SQL text run by hand (``text("UPDATE product ...")``) and writes from outside the app;
call ``bump_catalog_version()`` after those.
"""
from __future__ import annotations

from itertools import chain

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.accounts.models import Organisation, OrganisationKind
from app.catalog import models as catalog
from app.catalog.cache import CHANGED_FLAG, bump_catalog_version

CATALOG_MODELS = (
    catalog.Marketplace, catalog.Category, catalog.Product, catalog.OrderingParameter, catalog.Plan,
    catalog.PlanTerm, catalog.ResourceCategory, catalog.Resource, catalog.PlanResource, catalog.PriceList,
    catalog.PlanTermPrice, catalog.ResourcePrice,
)
CATALOG_TABLES = frozenset(model.__table__.name for model in CATALOG_MODELS)
_FLAG = CHANGED_FLAG


def _changes_catalog(instance) -> bool:
    if isinstance(instance, CATALOG_MODELS):
        return True
    # Which price list is "the distributor's" follows the organisation's kind.
    return isinstance(instance, Organisation) and (
        instance.kind == OrganisationKind.DISTRIBUTOR.value or inspect(instance).attrs.kind.history.has_changes()
    )


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session, flush_context) -> None:
    if not session.info.get(_FLAG) and any(map(_changes_catalog, chain(session.new, session.dirty, session.deleted))):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statements(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in CATALOG_TABLES | {Organisation.__table__.name}:
            state.session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session) -> None:
    # A rolled-back change leaves the flag set: the next commit bumps once more, which is harmless.
    if session.info.pop(_FLAG, False):
        bump_catalog_version()

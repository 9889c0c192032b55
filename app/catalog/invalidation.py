"""Stale storefront cache entries are impossible to forget: any session that inserts, updates or
deletes a catalog or price row (through the unit of work, or a bulk ``insert()``/``update()``/
``delete()`` run by the session) bumps the catalog version once its outermost transaction
commits (``app.core.versions``).

Not seen: SQL text run by hand (``text("UPDATE product ...")``) and writes from outside the app;
call ``bump_catalog_version()`` after those.
"""
from __future__ import annotations

from sqlalchemy import inspect

from app.accounts.models import Organisation, OrganisationKind
from app.catalog import models as catalog
from app.catalog.cache import CATALOG
from app.core.versions import ALL

CATALOG_MODELS = (
    catalog.Marketplace, catalog.Category, catalog.Product, catalog.OrderingParameter, catalog.Plan,
    catalog.PlanTerm, catalog.ResourceCategory, catalog.Resource, catalog.PlanResource, catalog.PriceList,
    catalog.PlanTermPrice, catalog.ResourcePrice,
)
CATALOG_TABLES = frozenset(model.__table__.name for model in CATALOG_MODELS)
WATCHED_TABLES = CATALOG_TABLES | {Organisation.__table__.name}


def _changes_catalog(instance) -> bool:
    if isinstance(instance, CATALOG_MODELS):
        return True
    # Which price list is "the distributor's" follows the organisation's kind.
    return isinstance(instance, Organisation) and (
        instance.kind == OrganisationKind.DISTRIBUTOR.value or inspect(instance).attrs.kind.history.has_changes()
    )


CATALOG.watch(lambda session, row: (ALL,) if _changes_catalog(row) else (), lambda: WATCHED_TABLES)

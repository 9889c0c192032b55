"""What a buyer asks for, before it is validated or priced: one value per line to order.

Every way to buy (storefront cart, reseller panel, customer panel) builds ``LineRequest`` values
and hands them to the checkout service; nothing else reaches an order.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.catalog.models import Plan, PlanResource, PlanTerm, Product
from app.extensions import db


class BeneficiaryKind(str, enum.Enum):
    SELF = "self"  # the buyer itself
    CUSTOMER = "customer"  # one of the buyer's existing customers (buyer acts as reseller)
    NEW_CUSTOMER = "new_customer"  # a customer created by the order


@dataclass(frozen=True)
class Beneficiary:
    """Whose subscription a line creates."""

    kind: BeneficiaryKind = BeneficiaryKind.SELF
    organisation_id: int | None = None  # for CUSTOMER
    name: str = ""  # for NEW_CUSTOMER: the organisation's name
    admin_email: str = ""  # for NEW_CUSTOMER: its administrator, invited by provisioning

    @classmethod
    def self_(cls) -> "Beneficiary":
        return cls(BeneficiaryKind.SELF)

    @classmethod
    def customer(cls, organisation_id: int) -> "Beneficiary":
        return cls(BeneficiaryKind.CUSTOMER, organisation_id=organisation_id)

    @classmethod
    def new_customer(cls, name: str, admin_email: str) -> "Beneficiary":
        return cls(BeneficiaryKind.NEW_CUSTOMER, name=name.strip(), admin_email=admin_email.strip().lower())

    def as_dict(self) -> dict:
        return {"kind": self.kind.value, "organisation_id": self.organisation_id, "name": self.name,
                "admin_email": self.admin_email}

    @classmethod
    def from_dict(cls, data: Mapping | None) -> "Beneficiary":
        data = data or {}
        try:
            kind = BeneficiaryKind(data.get("kind") or "self")
        except ValueError:
            kind = BeneficiaryKind.SELF
        organisation_id = data.get("organisation_id")
        return cls(kind, organisation_id if isinstance(organisation_id, int) else None,
                   str(data.get("name") or ""), str(data.get("admin_email") or ""))


@dataclass(frozen=True)
class LineRequest:
    """A new subscription to order: a plan term, the total quantity of each of the plan's
    resources (included plus extra; one-time services 0 or more), ordering-parameter values,
    the beneficiary, and whether the first month is free (postponed billing)."""

    plan_term_id: int
    quantities: Mapping[str, int] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    beneficiary: Beneficiary = field(default_factory=Beneficiary)
    postponed_billing: bool = False


def load_plan_terms(plan_term_ids: Iterable[int]):
    """``{id: PlanTerm}`` with plan, product, parameters and resources loaded, in one query
    whatever the number of terms (a cart or an order has a few: its rows are each term's
    parameters times its resources)."""
    ids = {term_id for term_id in plan_term_ids if isinstance(term_id, int)}
    if not ids:
        return {}
    terms = db.session.scalars(_plan_terms_statement(), {"ids": sorted(ids)}).unique()
    return {term.id: term for term in terms}


@lru_cache(maxsize=1)
def _plan_terms_statement():
    """Built once per process (its loader options cost more CPU to build than the query to
    run); each call binds its own ``ids``."""
    return (
        select(PlanTerm)
        .where(PlanTerm.id.in_(bindparam("ids", expanding=True)))
        .options(
            joinedload(PlanTerm.plan).joinedload(Plan.product).joinedload(Product.parameters),
            joinedload(PlanTerm.plan).joinedload(Plan.resources).joinedload(PlanResource.resource),
        )
    )

"""What the reseller panel's customer pages show, read through the reseller's scope in a fixed
number of queries whatever the page: the list (rows, then one grouped query for their
subscription and seat totals) and a customer's header. No rule is decided here."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.access import TenantScope
from app.accounts.customers import DEFAULT_SORT, SORTS, customers_listing
from app.accounts.models import Organisation, OrganisationKind
from app.extensions import db
from app.plans.queries import OwnerTotals, totals_by_owner
from app.core.numbers import page_number

PER_PAGE = 25
TABS = (("customer", "Subscriptions"), ("customer_orders", "Orders"), ("customer_users", "Users"),
        ("customer_invoices", "Invoices"))


@dataclass(frozen=True)
class CustomerRow:
    customer: Organisation
    totals: OwnerTotals


@dataclass(frozen=True)
class ListState:
    """The list's state as the URL carries it (``q``, ``sort``, ``page``), cleaned."""

    search: str
    sort: str
    page: int

    @classmethod
    def from_args(cls, args) -> ListState:
        search = (args.get("q") or "").strip()[:100]
        sort = args.get("sort") if args.get("sort") in SORTS else DEFAULT_SORT
        page = args.get("page", "1")
        return cls(search, sort, page_number(page))

    def params(self, **changes) -> dict:
        """URL arguments for a link that keeps this state (defaults left out)."""
        values = {"q": self.search, "sort": self.sort, "page": self.page} | changes
        return {key: value for key, value in values.items()
                if value and not (key == "sort" and value == DEFAULT_SORT) and not (key == "page" and value == 1)}


def customers_page(reseller: Organisation, state: ListState):
    """One page of ``reseller``'s customers (``db.paginate``; its ``items`` are ``CustomerRow``s):
    three queries (count, rows with their marketplace, totals)."""
    statement = customers_listing(reseller, state.search, state.sort).options(joinedload(Organisation.marketplace))
    pagination = db.paginate(statement, page=state.page, per_page=PER_PAGE, error_out=False)
    totals = totals_by_owner(customer.id for customer in pagination.items)
    pagination.items = [CustomerRow(customer, totals.get(customer.id, OwnerTotals())) for customer in pagination.items]
    return pagination


def customer_of(reseller: Organisation, customer_id: int) -> Organisation:
    """One of ``reseller``'s customers with its marketplace, else 404 (another reseller's
    customer, the reseller itself, or no such id)."""
    scope = TenantScope(reseller, customers=False, staff_sees_all=False)
    statement = (select(Organisation).options(joinedload(Organisation.marketplace))
                 .where(Organisation.id == customer_id, Organisation.kind == OrganisationKind.CUSTOMER.value))
    return scope.one_or_404(statement, Organisation.parent_id)


def totals_of(customer: Organisation) -> OwnerTotals:
    return totals_by_owner([customer.id]).get(customer.id, OwnerTotals())

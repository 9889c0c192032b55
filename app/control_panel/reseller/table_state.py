"""The state of the reseller home's table as the URL carries it (status, plan, customer, search,
sort, order, page) and the page of rows shaped for the pager: plain values, no database."""
from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil
from typing import Mapping

PER_PAGE = 25
SEARCH_MAX = 100

# The status filter's choices: the codes ``display_status`` gives, in the table's words.
STATUS_CHOICES = {
    "active": "Active",
    "change_scheduled": "Pending (change scheduled)",
    "canceled": "Canceled",
    "pending": "Provisioning",
    "suspended": "Suspended",
    "failed": "Provisioning failed",
}
SORT_CHOICES = {
    "customer": "Customer",
    "plan": "Plan",
    "status": "Status",
    "seats": "Seats",
    "period": "Current period",
    "margin": "Monthly margin",
}


def _whole_number(raw: str | None, limit: int = 2**31 - 1) -> int | None:
    """A positive id or page number from the URL, else None (never an error page for a list)."""
    if raw is None or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= limit else None


@dataclass(frozen=True)
class OverviewFilters:
    """The table's state, as the URL carries it. Values that are not one of the choices are
    dropped, so a hand-edited URL shows the unfiltered table rather than an error."""

    status: str = ""
    plan_id: int | None = None
    customer_id: int | None = None
    search: str = ""
    sort: str = ""  # "" = newest first
    descending: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "OverviewFilters":
        status = args.get("status", "")
        sort = args.get("sort", "")
        return cls(
            status=status if status in STATUS_CHOICES else "",
            plan_id=_whole_number(args.get("plan")),
            customer_id=_whole_number(args.get("customer")),
            search=" ".join(args.get("q", "").split())[:SEARCH_MAX],
            sort=sort if sort in SORT_CHOICES else "",
            descending=args.get("order") == "desc" and sort in SORT_CHOICES,
            page=_whole_number(args.get("page"), 100_000) or 1,
        )

    def params(self, **changes) -> dict[str, str | int]:
        """The URL parameters of this state (only those set), with ``changes`` applied: what
        every link of the page (sort, pages, export, clear) keeps."""
        values = {"status": self.status, "plan": self.plan_id, "customer": self.customer_id, "q": self.search,
                  "sort": self.sort, "order": "desc" if self.descending else "", "page": self.page if self.page > 1 else None}
        values.update(changes)
        return {key: value for key, value in values.items() if value not in (None, "")}

    def sort_params(self, column: str) -> dict[str, str | int]:
        """The link of a column heading: sort by it, ascending first, then the other way."""
        descending = self.sort == column and not self.descending
        return self.params(sort=column, order="desc" if descending else None, page=None)

    @property
    def filtered(self) -> bool:
        return bool(self.status or self.plan_id or self.customer_id or self.search)


@dataclass
class OverviewPage:
    """One page of rows, shaped like ``db.paginate``'s result for the pager macro."""

    items: list[OverviewRow]
    total: int
    page: int
    per_page: int = PER_PAGE
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

"""The cart: lines a buyer is about to order, kept per signed-in user in the database, or in
the session for an anonymous visitor (merged into the user's cart on sign-in).

Both stores hold the same thing, a list of ``CartEntry`` (an id and a ``LineRequest``), and
belong to the marketplace they were filled in: an order is in one currency. Prices are never
stored in a cart: the page prices it for whoever looks, the checkout quotes it again.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import MutableMapping

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation, OrganisationKind
from app.cart.counting import preloaded_count
from app.cart.models import Cart, CartLine
from app.catalog.models import Marketplace
from app.catalog.pricing import PriceBook, viewer_for
from app.core.errors import Refusal, RefusalKind
from app.extensions import db
from app.orders.checkout import purchaser_for
from app.orders.gates import other_marketplace_notice
from app.orders.lines import Beneficiary, LineRequest
from app.orders.validation import OrderInvalid, Problem, line_problems

SESSION_KEY = "cart"
MAX_CART_LINES = 20


class CartFull(Refusal):
    kind = RefusalKind.CONFLICT


class OtherMarketplace(Refusal):
    """The cart was filled in another marketplace (another currency)."""

    kind = RefusalKind.CONFLICT


@dataclass(frozen=True)
class CartEntry:
    id: str
    request: LineRequest


def request_to_dict(request: LineRequest) -> dict:
    return {"plan_term_id": request.plan_term_id, "quantities": dict(request.quantities),
            "parameters": dict(request.parameters), "beneficiary": request.beneficiary.as_dict(),
            "postponed_billing": bool(request.postponed_billing)}


def request_from_dict(data: dict) -> LineRequest:
    quantities = {str(k): v for k, v in (data.get("quantities") or {}).items() if isinstance(v, int)}
    parameters = {str(k): str(v) for k, v in (data.get("parameters") or {}).items()}
    return LineRequest(int(data["plan_term_id"]), quantities, parameters,
                       Beneficiary.from_dict(data.get("beneficiary")), bool(data.get("postponed_billing")))


class SessionCart:
    """An anonymous visitor's cart in the (signed cookie) session."""

    def __init__(self, session: MutableMapping) -> None:
        self.session = session

    @property
    def _data(self) -> dict:
        return self.session.get(SESSION_KEY) or {"marketplace_id": None, "lines": []}

    def _save(self, data: dict) -> None:
        self.session[SESSION_KEY] = data

    @property
    def marketplace_id(self) -> int | None:
        return self._data["marketplace_id"] if self._data["lines"] else None

    def entries(self) -> list[CartEntry]:
        entries = []
        for line in self._data["lines"]:
            try:
                entries.append(CartEntry(line["id"], request_from_dict(line)))
            except (KeyError, TypeError, ValueError):
                continue  # a line from an older layout: dropped
        return entries

    def count(self) -> int:
        return len(self._data["lines"])

    def add(self, request: LineRequest, marketplace_id: int) -> str:
        data = self._data
        _check_room(len(data["lines"]), data["marketplace_id"] if data["lines"] else None, marketplace_id)
        entry_id = secrets.token_hex(4)
        self._save({"marketplace_id": marketplace_id, "lines": data["lines"] + [{"id": entry_id, **request_to_dict(request)}]})
        return entry_id

    def replace(self, entry_id: str, request: LineRequest) -> bool:
        data = self._data
        lines = [({"id": entry_id, **request_to_dict(request)} if line["id"] == entry_id else line) for line in data["lines"]]
        self._save({**data, "lines": lines})
        return any(line["id"] == entry_id for line in data["lines"])

    def remove(self, entry_id: str) -> bool:
        data = self._data
        lines = [line for line in data["lines"] if line["id"] != entry_id]
        self._save({**data, "lines": lines})
        return len(lines) != len(data["lines"])

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)


class UserCart:
    """A signed-in user's cart: one ``Cart`` row with its lines, created on the first add."""

    def __init__(self, user) -> None:
        self.user = user
        self._cart: Cart | None = None
        self._loaded = False

    @property
    def cart(self) -> Cart | None:
        if not self._loaded:
            self._cart = db.session.execute(
                select(Cart).where(Cart.user_id == self.user.id).options(joinedload(Cart.lines))
            ).unique().scalar_one_or_none()
            self._loaded = True
        return self._cart

    @property
    def marketplace_id(self) -> int | None:
        return self.cart.marketplace_id if self.cart is not None and self.cart.lines else None

    def entries(self) -> list[CartEntry]:
        if self.cart is None:
            return []
        return [CartEntry(str(line.id), request_from_dict({
            "plan_term_id": line.plan_term_id, "quantities": line.quantities, "parameters": line.parameters,
            "beneficiary": line.beneficiary, "postponed_billing": line.postponed_billing,
        })) for line in self.cart.lines]

    def count(self) -> int:
        if self._loaded:
            return len(self.cart.lines) if self.cart is not None else 0
        preloaded = preloaded_count(self.user, db.session)
        if preloaded is not None:
            return preloaded
        return db.session.scalar(
            select(func.count(CartLine.id)).join(Cart, Cart.id == CartLine.cart_id).where(Cart.user_id == self.user.id)
        ) or 0

    def add(self, request: LineRequest, marketplace_id: int) -> str:
        if self.cart is None:
            self._cart = Cart(user_id=self.user.id, marketplace_id=marketplace_id)
            db.session.add(self._cart)
        _check_room(len(self.cart.lines), self.marketplace_id, marketplace_id)
        self.cart.marketplace_id = marketplace_id
        line = CartLine(plan_term_id=request.plan_term_id)
        _fill(line, request)
        self.cart.lines.append(line)
        db.session.flush()
        return str(line.id)

    def _line(self, entry_id: str) -> CartLine | None:
        if self.cart is None or not entry_id.isdigit():
            return None
        return next((line for line in self.cart.lines if line.id == int(entry_id)), None)

    def replace(self, entry_id: str, request: LineRequest) -> bool:
        line = self._line(entry_id)
        if line is None:
            return False
        _fill(line, request)
        return True

    def remove(self, entry_id: str) -> bool:
        line = self._line(entry_id)
        if line is None:
            return False
        self.cart.lines.remove(line)
        return True

    def clear(self) -> None:
        if self.cart is not None:
            self.cart.lines.clear()


def _fill(line: CartLine, request: LineRequest) -> None:
    data = request_to_dict(request)
    line.quantities, line.parameters = data["quantities"], data["parameters"]
    line.beneficiary, line.postponed_billing = data["beneficiary"], data["postponed_billing"]


def _check_room(count: int, cart_marketplace_id: int | None, marketplace_id: int) -> None:
    if count >= MAX_CART_LINES:
        raise CartFull(f"A cart holds at most {MAX_CART_LINES} lines: check out or remove some first.")
    if cart_marketplace_id is not None and cart_marketplace_id != marketplace_id:
        cart_marketplace = db.session.get(Marketplace, cart_marketplace_id)
        raise OtherMarketplace(
            f"Your cart holds items from {cart_marketplace.name} ({cart_marketplace.currency}); an order is in one "
            f"currency. Check out or empty your cart before adding items from another region."
        )


def region_notice(store, marketplace: Marketplace) -> str | None:
    """What to tell a visitor who switches to ``marketplace`` with a cart of another one."""
    if store.marketplace_id is None or store.marketplace_id == marketplace.id:
        return None
    return other_marketplace_notice(db.session.get(Marketplace, store.marketplace_id), marketplace)


@dataclass
class MergeResult:
    added: int = 0
    left_out: list[str] = field(default_factory=list)


def merge_into_user_cart(session: MutableMapping, user) -> MergeResult:
    """Moves the anonymous cart's lines into ``user``'s cart and empties the session's.
    Lines from another marketplace than the user's non-empty cart, or beyond the cart's
    capacity, are left out (and reported)."""
    anonymous = SessionCart(session)
    result = MergeResult()
    entries, marketplace_id = anonymous.entries(), anonymous.marketplace_id
    if not entries:
        return result
    store = UserCart(user)
    for entry in entries:
        try:
            store.add(entry.request, marketplace_id)
            result.added += 1
        except (CartFull, OtherMarketplace) as refused:
            result.left_out.append(str(refused))
            break
    anonymous.clear()
    db.session.commit()
    return result


DETAIL_FIELDS = ("beneficiary", "new_customer_name", "new_customer_email")


def is_detail(problem) -> bool:
    """Problems the buyer fixes on the line's page (parameters, beneficiary), not blockers."""
    return bool(problem.field) and (problem.field.startswith("param-") or problem.field in DETAIL_FIELDS)


# --- Lines in and out of the cart: the checkout's own validation, run early ----------------
# ``input_problems``: what reading the form found already (a quantity that is not a number);
# when there are any, they are the answer and the line is not validated further.


def line_problems_for(line: LineRequest, term, marketplace, organisation) -> list[Problem]:
    """Every problem of ``line`` for ``organisation`` (``None``: an anonymous visitor) in
    ``marketplace``, at that buyer's prices: the rules ``prepare`` applies at checkout."""
    book = PriceBook(viewer_for(organisation), marketplace).load([term.id])
    return line_problems(line, term, marketplace, book, purchaser_for(organisation, [line]))[0]


def add_line(store, line: LineRequest, term, marketplace, organisation, input_problems=()) -> tuple[str, list[Problem]]:
    """Adds ``line`` to the cart (not committed) when nothing but details (``is_detail``: the
    line's page asks for them) stands in its way; returns the new entry's id and those
    details. Refuses with ``OrderInvalid`` (every problem), ``CartFull`` or ``OtherMarketplace``,
    the cart unchanged."""
    problems = list(input_problems) or line_problems_for(line, term, marketplace, organisation)
    if any(not is_detail(problem) for problem in problems):
        raise OrderInvalid(problems)
    return store.add(line, marketplace.id), problems


def change_quantities(store, entry_id: str, line: LineRequest, term, marketplace, organisation, input_problems=()) -> None:
    """Replaces the entry by ``line`` (its new quantities; not committed), or refuses with
    ``OrderInvalid`` naming the quantities' problems (other problems wait for the line's page)."""
    problems = list(input_problems) or [problem for problem in line_problems_for(line, term, marketplace, organisation)
                                        if problem.field and problem.field.startswith("qty-")]
    if problems:
        raise OrderInvalid(problems)
    store.replace(entry_id, line)


def replace_line(store, entry_id: str, line: LineRequest, term, marketplace, organisation, input_problems=()) -> None:
    """Replaces the entry by ``line`` (not committed) when it can be ordered as it is, else
    refuses with ``OrderInvalid`` and every problem."""
    problems = list(input_problems) or line_problems_for(line, term, marketplace, organisation)
    if problems:
        raise OrderInvalid(problems)
    store.replace(entry_id, line)


def details_needed(line: LineRequest, term, marketplace, organisation) -> list[Problem]:
    """The details the line's page asks for before ``line`` can be ordered (who it is for is
    asked by the page's own select, so not listed)."""
    return [problem for problem in line_problems_for(line, term, marketplace, organisation)
            if is_detail(problem) and problem.field != "beneficiary"]


def own_customers(organisation) -> list:
    """The customers an organisation acting as reseller may buy for, by name."""
    if organisation is None or not organisation.acts_as_reseller:
        return []
    return list(db.session.scalars(
        select(Organisation)
        .where(Organisation.parent_id == organisation.id, Organisation.kind == OrganisationKind.CUSTOMER.value)
        .order_by(Organisation.name, Organisation.id)
    ))


def beneficiary_choices(plan, organisation, customers) -> list[tuple[str, str]]:
    """Who a line of ``plan`` may be for, as (value, label) for the line form."""
    if organisation is not None and organisation.acts_as_reseller and plan.audience == "customer":
        return [(f"customer:{c.id}", c.name) for c in customers] + [("new", "A new customer…")]
    return [("self", organisation.name if organisation is not None else "My organisation")]

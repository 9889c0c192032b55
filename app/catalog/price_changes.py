"""A reseller's customer prices (issue 11 item 8): per plan term and per resource of the plans for
customers, an absolute price or a markup over its cost, or the MSRP (the default), taking effect
now or from a date. A change is a row of the reseller's price list dated ``effective_from``
(``app.catalog.pricing`` reads the row in effect); a change dated in the future is *scheduled*
and may be withdrawn until then. Running subscriptions keep the prices locked for their term
(``app.plans.term_prices``) and take the new ones at renewal.

Prices below the reseller's cost are allowed (a loss leader is the reseller's call) but the
result says so, and the page shows the warning.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.accounts.activity import record_activity
from app.accounts.models import Organisation, User
from app.catalog.models import (
    Audience,
    Marketplace,
    PlanResource,
    PlanTerm,
    PlanTermPrice,
    PriceList,
    ResourcePrice,
)
from app.catalog.pricing import PriceBasis, PriceBook, TierPrices, Viewer, customer_price
from app.core.errors import Refusal, RefusalKind
from app.core.locks import locked_one
from app.extensions import db
from app.money import Money, minor_digits

MAX_AMOUNT = 10**11  # minor units: far above any plan, far below an integer overflow
MAX_MARKUP_BP = 1_000_000  # 10,000 %
FURTHEST_AHEAD = timedelta(days=5 * 366)


class PriceChangeRefused(Refusal):
    kind = RefusalKind.INVALID


class PriceMode(str, enum.Enum):
    AMOUNT = "amount"  # an absolute customer price
    MARKUP = "markup"  # a markup in percent over the reseller's cost
    MSRP = "msrp"  # back to the default: the MSRP


class ItemKind(str, enum.Enum):
    PLAN = "plan"
    RESOURCE = "resource"


MODELS = {ItemKind.PLAN: PlanTermPrice, ItemKind.RESOURCE: ResourcePrice}


def parse_amount(text: str, currency: str, locale: str) -> int:
    """A price typed by a person ("1,234.50" in en_US) in minor units of ``currency``: not
    negative, at most the currency's decimals. Raises ``PriceChangeRefused`` otherwise."""
    value = _decimal(text, locale, "price")
    digits = minor_digits(currency)
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        raise PriceChangeRefused(f"A {currency} price has at most {digits} decimals.")
    if minor < 0:
        raise PriceChangeRefused("A price cannot be negative.")
    if minor > MAX_AMOUNT:
        raise PriceChangeRefused("That price is too large.")
    return int(minor)


def parse_markup(text: str, locale: str) -> int:
    """A markup typed in percent ("25", "12.5") in basis points: 0 to 10,000 %, two decimals."""
    value = _decimal(text, locale, "markup")
    basis_points = value * 100
    if basis_points != basis_points.to_integral_value():
        raise PriceChangeRefused("A markup has at most two decimals (12.25 %).")
    if basis_points < 0:
        raise PriceChangeRefused("A markup cannot be negative: set a price instead to sell below cost.")
    if basis_points > MAX_MARKUP_BP:
        raise PriceChangeRefused("A markup is at most 10,000 %.")
    return int(basis_points)


def _decimal(text: str, locale: str, what: str) -> Decimal:
    text = (text or "").strip().lstrip("%").rstrip("%").strip()
    if not text or len(text) > 30:
        raise PriceChangeRefused(f"Enter a {what}.")
    try:
        value = parse_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation, ValueError):
        raise PriceChangeRefused(f"\u201c{text}\u201d is not a number.") from None
    if not value.is_finite():
        raise PriceChangeRefused(f"\u201c{text}\u201d is not a number.")
    return value


def parse_effective_from(effective: str, when: str, now: datetime) -> datetime:
    """``effective`` "now", or "later" with ``when`` (``YYYY-MM-DDTHH:MM``, UTC) after ``now``
    and within five years."""
    if effective == "now":
        return now
    if effective != "later":
        raise PriceChangeRefused("Choose when the price takes effect.")
    try:
        moment = datetime.strptime((when or "").strip()[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise PriceChangeRefused("Enter the date and time (UTC) the price takes effect.") from None
    if moment <= now:
        raise PriceChangeRefused("A scheduled price takes effect in the future: choose a later date, or \u201cnow\u201d.")
    if moment > now + FURTHEST_AHEAD:
        raise PriceChangeRefused("A price can be scheduled at most five years ahead.")
    return moment


@dataclass(frozen=True)
class PriceItem:
    """A plan term of a plan for customers, or one of its resources, sold in a marketplace."""

    marketplace: Marketplace
    plan_term: PlanTerm
    plan_resource: PlanResource | None = None

    @property
    def kind(self) -> ItemKind:
        return ItemKind.PLAN if self.plan_resource is None else ItemKind.RESOURCE

    @property
    def resource_id(self) -> int | None:
        return self.plan_resource.resource_id if self.plan_resource is not None else None

    @property
    def label(self) -> str:
        plan = self.plan_term.plan
        base = f"{plan.product.name} \u2014 {plan.name} ({self.plan_term.name})"
        return base if self.plan_resource is None else f"{base}: {self.plan_resource.resource.name}"


def find_item(marketplace: Marketplace, plan_term_id: int, resource_id: int | None) -> PriceItem:
    """The item, if it belongs to a published plan for customers; else ``PriceChangeRefused`` (404)."""
    term = db.session.get(PlanTerm, plan_term_id)
    if term is None or term.plan.audience != Audience.CUSTOMER.value or not term.plan.published:
        raise PriceChangeRefused("No such plan term for customers.", kind=RefusalKind.NOT_FOUND)
    if resource_id is None:
        return PriceItem(marketplace, term)
    plan_resource = next((pr for pr in term.plan.resources if pr.resource_id == resource_id), None)
    if plan_resource is None:
        raise PriceChangeRefused("No such resource on this plan.", kind=RefusalKind.NOT_FOUND)
    return PriceItem(marketplace, term, plan_resource)


@dataclass(frozen=True)
class PriceChange:
    """What a change did: the row written, its tiers (at today's cost) and whether the customer
    price is below the reseller's cost."""

    row: PlanTermPrice | ResourcePrice
    tiers: TierPrices
    scheduled: bool

    @property
    def below_cost(self) -> bool:
        return self.tiers.customer < self.tiers.cost

    @property
    def loss(self) -> Money:
        return Money(self.tiers.cost - self.tiers.customer, self.tiers.currency)


def reseller_list(reseller: Organisation, marketplace: Marketplace) -> PriceList:
    """The reseller's price list in the marketplace, created on first use (concurrent first uses
    meet on the list's unique key)."""
    statement = select(PriceList).where(PriceList.seller_id == reseller.id, PriceList.marketplace_id == marketplace.id)
    found = db.session.scalar(statement)
    if found is None:
        try:
            with db.session.begin_nested():
                found = PriceList(seller_id=reseller.id, marketplace_id=marketplace.id)
                db.session.add(found)
        except IntegrityError:  # another request created it first
            found = db.session.scalar(statement)
    return found


def set_customer_price(reseller: Organisation, item: PriceItem, mode: PriceMode, *, amount: int | None = None,
                       markup_bp: int | None = None, effective_from: datetime, actor: User, now: datetime) -> PriceChange:
    """Writes the reseller's customer price for ``item`` from ``effective_from`` (``now`` or
    later): one dated row of its list (replacing a change at the very same moment), and an
    entry in its activity log. Refuses when the reseller does not act as one or the item is not
    on the distributor's list at that date. Not committed."""
    if not reseller.acts_as_reseller:
        raise PriceChangeRefused("Only resellers set customer prices.", kind=RefusalKind.FORBIDDEN)
    if effective_from < now:
        raise PriceChangeRefused("A price cannot take effect in the past.")
    if mode is PriceMode.AMOUNT and (amount is None or amount < 0):
        raise PriceChangeRefused("Enter a price that is not negative.")
    if mode is PriceMode.MARKUP and (markup_bp is None or markup_bp < 0):
        raise PriceChangeRefused("Enter a markup that is not negative.")
    book = PriceBook(Viewer(PriceBasis.RESELLER_PRICE, reseller.id), item.marketplace, at=effective_from)
    if not (book.has_plan_term(item.plan_term.id) if item.resource_id is None
            else book.has_resource(item.plan_term.id, item.resource_id)):
        raise PriceChangeRefused("This item is not on the distributor's price list at that date.", kind=RefusalKind.CONFLICT)
    base = book.plan_term_tiers(item.plan_term.id) if item.resource_id is None \
        else book.resource_tiers(item.plan_term.id, item.resource_id)
    values = {"amount": amount if mode is PriceMode.AMOUNT else None,
              "markup_bp": markup_bp if mode is PriceMode.MARKUP else None}
    price_list = reseller_list(reseller, item.marketplace)
    model = MODELS[item.kind]
    locked_one(select(PriceList).where(PriceList.id == price_list.id))  # one writer per list at a time
    row = db.session.scalar(_item_rows(model, price_list.id, item).where(model.effective_from == effective_from))
    if row is None:
        row = model(price_list_id=price_list.id, plan_term_id=item.plan_term.id, effective_from=effective_from,
                    **({"resource_id": item.resource_id} if item.resource_id is not None else {}))
        db.session.add(row)
    row.amount, row.markup_bp = values["amount"], values["markup_bp"]
    db.session.flush()
    tiers = TierPrices(base.currency, base.cost, base.msrp, customer_price(base.cost, base.msrp, **values))
    scheduled = effective_from > now
    record_activity(reseller.id, "price.scheduled" if scheduled else "price.changed",
                    _summary(item, mode, tiers, values, effective_from if scheduled else None), actor=actor,
                    subject=row, now=now)
    return PriceChange(row, tiers, scheduled)


def withdraw_scheduled_price(reseller: Organisation, kind: ItemKind, row_id: int, *, actor: User, now: datetime) -> None:
    """Deletes a scheduled change of the reseller's own list before it takes effect. Another
    reseller's row is not found (404); one already in effect is refused (409). Not committed."""
    model = MODELS[kind]
    row = db.session.scalar(
        select(model).join(PriceList, PriceList.id == model.price_list_id)
        .where(model.id == row_id, PriceList.seller_id == reseller.id)
    )
    if row is None:
        raise PriceChangeRefused("No such scheduled price.", kind=RefusalKind.NOT_FOUND)
    if row.effective_from <= now:
        raise PriceChangeRefused("This price has already taken effect: set a new one instead.", kind=RefusalKind.CONFLICT)
    marketplace = row.price_list.marketplace
    item = find_item(marketplace, row.plan_term_id, getattr(row, "resource_id", None))
    when = row.effective_from
    db.session.execute(delete(model).where(model.id == row.id))
    record_activity(reseller.id, "price.withdrawn",
                    f"Withdrew the price of {item.label} scheduled for {when:%d %b %Y %H:%M} UTC", actor=actor, now=now)


def _item_rows(model, price_list_id: int, item: PriceItem):
    statement = select(model).where(model.price_list_id == price_list_id, model.plan_term_id == item.plan_term.id)
    if model is ResourcePrice:
        statement = statement.where(ResourcePrice.resource_id == item.resource_id)
    return statement


def _summary(item: PriceItem, mode: PriceMode, tiers: TierPrices, values: dict, scheduled_for: datetime | None) -> str:
    locale = item.marketplace.locale
    price = Money(tiers.customer, tiers.currency).format(locale)
    how = {PriceMode.AMOUNT: f"{price}",
           PriceMode.MARKUP: f"a markup of {Decimal(values['markup_bp'] or 0) / 100:f} % ({price} at today's cost)",
           PriceMode.MSRP: f"the MSRP ({price})"}[mode]
    when = f" from {scheduled_for:%d %b %Y %H:%M} UTC" if scheduled_for else ""
    return f"Customer price of {item.label} set to {how}{when}"


def apply_price_form(reseller: Organisation, item: PriceItem, form, *, actor: User, now: datetime) -> PriceChange:
    """The change a reseller's form asks for (``mode``: amount, markup or msrp; ``amount`` or
    ``markup``; ``effective``: now or later, with ``effective_from``), validated, then written
    by ``set_customer_price``. Not committed."""
    try:
        mode = PriceMode(form.get("mode", ""))
    except ValueError:
        raise PriceChangeRefused("Choose a price, a markup or the MSRP.") from None
    marketplace = item.marketplace
    amount = parse_amount(form.get("amount", ""), marketplace.currency, marketplace.locale) if mode is PriceMode.AMOUNT else None
    markup_bp = parse_markup(form.get("markup", ""), marketplace.locale) if mode is PriceMode.MARKUP else None
    effective_from = parse_effective_from(form.get("effective", ""), form.get("effective_from", ""), now)
    return set_customer_price(reseller, item, mode, amount=amount, markup_bp=markup_bp, effective_from=effective_from,
                              actor=actor, now=now)

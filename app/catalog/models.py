"""The multi-tier catalog: marketplaces, categories, products, plans, resources and price lists."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import current_now
from app.extensions import db


class Audience(str, enum.Enum):
    RESELLER = "reseller"  # bought by a reseller for its own use
    CUSTOMER = "customer"  # bought for an end customer


class PlanKind(str, enum.Enum):
    SINGLE_USER = "single_user"  # one fixed seat; the end user is invited to activate it
    ORGANISATION = "organisation"  # many seats; a customer administrator is invited


class PaymentModel(str, enum.Enum):
    PREPAID = "prepaid"  # billed in advance, price fixed for the term
    POSTPAID = "postpaid"  # billed in arrears on the period's peak quantity


class ResourceKind(str, enum.Enum):
    RECURRING = "recurring"  # per unit per billing period
    ONE_TIME = "one_time"  # charged once


class ParameterKind(str, enum.Enum):
    TEXT = "text"
    CHOICE = "choice"
    DOMAIN = "domain"
    EMAIL = "email"


class Marketplace(db.Model):
    """A region: its currency, tax and locale. An order is in its marketplace's currency."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(10))
    tax_rate_bp: Mapped[int] = mapped_column()  # basis points: 2000 = 20 %
    tax_label: Mapped[str] = mapped_column(String(30), default="Tax")
    # Countries sharing a tax region (e.g. the EU) reverse-charge business buyers from
    # another member country; None for regions without such a rule.
    tax_region: Mapped[str | None] = mapped_column(String(10))
    terms_text: Mapped[str] = mapped_column(Text, default="")
    terms_version: Mapped[str] = mapped_column(String(20), default="1")
    position: Mapped[int] = mapped_column(default=0)


class Category(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent", order_by="Category.position")
    products: Mapped[list[Product]] = relationship(back_populates="category")


class Product(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    vendor: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    terms_text: Mapped[str] = mapped_column(Text, default="")
    terms_version: Mapped[str] = mapped_column(String(20), default="1")
    connector: Mapped[str] = mapped_column(String(50), default="demo")
    connector_settings: Mapped[dict] = mapped_column(JSON, default=dict)
    renewal_upgrade_only: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=current_now, server_default=func.now())

    category: Mapped[Category] = relationship(back_populates="products")
    plans: Mapped[list[Plan]] = relationship(back_populates="product", order_by="Plan.position")
    parameters: Mapped[list[OrderingParameter]] = relationship(
        back_populates="product", order_by="OrderingParameter.position"
    )


class OrderingParameter(db.Model):
    """A typed field an order for the product must collect and pass to the connector."""

    __table_args__ = (UniqueConstraint("product_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    key: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=ParameterKind.TEXT.value)
    required: Mapped[bool] = mapped_column(default=True)
    default: Mapped[str] = mapped_column(String(200), default="")
    choices: Mapped[list] = mapped_column(JSON, default=list)  # [[value, label], ...] for "choice"
    max_length: Mapped[int] = mapped_column(default=200)
    help_text: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="parameters")


class Plan(db.Model):
    """A service plan of one product."""

    __table_args__ = (
        UniqueConstraint("product_id", "code"),
        CheckConstraint("decrease_window_days >= 0 AND cancel_window_days >= 0", name="policy_windows"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    code: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default=PlanKind.ORGANISATION.value)
    payment_model: Mapped[str] = mapped_column(String(20), default=PaymentModel.PREPAID.value)
    postponed_billing_allowed: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # Change policy (app.plans.policy): when decreases and cancellations take effect.
    decrease_policy: Mapped[str] = mapped_column(String(20), default="next_period", server_default="next_period")
    decrease_window_days: Mapped[int] = mapped_column(default=0, server_default="0")
    cancel_policy: Mapped[str] = mapped_column(String(20), default="period_end", server_default="period_end")
    cancel_window_days: Mapped[int] = mapped_column(default=0, server_default="0")
    # The plan's feature table on product pages: [[feature, what this plan offers], ...]
    # (e.g. the Free and Standard storefront plans: "Custom domain": "No" / "Yes").
    features: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))

    product: Mapped[Product] = relationship(back_populates="plans")
    terms: Mapped[list[PlanTerm]] = relationship(back_populates="plan", order_by="PlanTerm.period_months")
    resources: Mapped[list[PlanResource]] = relationship(back_populates="plan", order_by="PlanResource.position")


class PlanTerm(db.Model):
    """A subscription period a plan is offered for, and how often it is billed within it."""

    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        CheckConstraint("period_months > 0", name="period_positive"),
        CheckConstraint("billing_frequency_months > 0", name="billing_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))  # "monthly", "annual", "annual-monthly-billing"
    name: Mapped[str] = mapped_column(String(100))
    period_months: Mapped[int] = mapped_column()
    billing_frequency_months: Mapped[int] = mapped_column()

    plan: Mapped[Plan] = relationship(back_populates="terms")


def plural_of(noun: str) -> str:
    """The regular English plural: mailbox -> mailboxes, switch -> switches, licence ->
    licences, proxy -> proxies. Irregular units carry theirs in ``Resource.unit_plural``."""
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if len(noun) > 1 and noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


class ResourceCategory(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class Resource(db.Model):
    """Something a plan is measured in or extended by: seats, an integration, QuickStart."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300), default="")
    unit: Mapped[str] = mapped_column(String(30), default="unit")
    # Only where the English rule (``plural_of``) is wrong for the unit: "person" -> "people".
    unit_plural: Mapped[str] = mapped_column(String(30), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(20), default=ResourceKind.RECURRING.value)
    # The seat count of a subscription; single-user plans hold exactly one.
    measures_seats: Mapped[bool] = mapped_column(default=False)
    resource_category_id: Mapped[int] = mapped_column(ForeignKey("resource_category.id"), index=True)

    category: Mapped[ResourceCategory] = relationship()

    @property
    def is_one_time(self) -> bool:
        return self.kind == ResourceKind.ONE_TIME.value

    def units(self, count: int) -> str:
        """The unit's name for ``count`` of it: "1 mailbox", "2 mailboxes"."""
        return self.unit if count == 1 else (self.unit_plural or plural_of(self.unit))


class PlanResource(db.Model):
    __table_args__ = (
        UniqueConstraint("plan_id", "resource_id"),
        CheckConstraint("minimum >= 0 AND maximum >= minimum AND step > 0", name="bounds"),
        CheckConstraint("included >= 0", name="included_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), index=True)
    included: Mapped[int] = mapped_column(default=0)  # covered by the plan's own price
    minimum: Mapped[int] = mapped_column(default=0)
    maximum: Mapped[int] = mapped_column(default=0)
    step: Mapped[int] = mapped_column(default=1)
    customer_changeable: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(back_populates="resources")
    resource: Mapped[Resource] = relationship()


class PriceList(db.Model):
    """One seller's prices in one marketplace: the distributor's, or one reseller's."""

    __table_args__ = (UniqueConstraint("seller_id", "marketplace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    marketplace_id: Mapped[int] = mapped_column(ForeignKey("marketplace.id"), index=True)

    marketplace: Mapped[Marketplace] = relationship()
    seller = relationship("Organisation")


# The ``effective_from`` of a price that has always applied (rows from before prices were dated).
ALWAYS = datetime(1970, 1, 1)
ALWAYS_SQL = "'1970-01-01 00:00:00.000000'"  # the same moment as SQLite stores it (and PostgreSQL reads)


class _PriceColumns:
    """Distributor lists fill ``cost`` and ``msrp``; reseller lists fill ``amount`` or ``markup_bp``.

    A row applies from ``effective_from`` until the next row of the same list and item: the
    price in effect at a moment is the row with the latest ``effective_from`` not after it
    (``app.catalog.pricing``). A distributor row without ``cost``/``msrp`` takes the item off
    the list from its date (a price-list version that removed it)."""

    cost: Mapped[int | None] = mapped_column()  # reseller cost, minor units
    msrp: Mapped[int | None] = mapped_column()  # manufacturer's suggested retail price
    amount: Mapped[int | None] = mapped_column()  # a reseller's absolute customer price
    markup_bp: Mapped[int | None] = mapped_column()  # or a markup over cost, basis points
    effective_from: Mapped[datetime] = mapped_column(default=ALWAYS, server_default=text(ALWAYS_SQL))
    # The distributor's price-list version that wrote the row (None: written directly).
    version_id: Mapped[int | None] = mapped_column(ForeignKey("price_list_version.id"), index=True)


class PlanTermPrice(_PriceColumns, db.Model):
    """The price of a plan term (covering its included resources) per billing period."""

    __table_args__ = (UniqueConstraint("price_list_id", "plan_term_id", "effective_from", name="uq_plan_term_price_dated"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_list.id"), index=True)
    plan_term_id: Mapped[int] = mapped_column(ForeignKey("plan_term.id"), index=True)

    price_list: Mapped[PriceList] = relationship()
    plan_term: Mapped[PlanTerm] = relationship()


class ResourcePrice(_PriceColumns, db.Model):
    """The price of one unit of a resource above what a plan term includes."""

    __table_args__ = (UniqueConstraint("price_list_id", "plan_term_id", "resource_id", "effective_from", name="uq_resource_price_dated"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_list.id"), index=True)
    plan_term_id: Mapped[int] = mapped_column(ForeignKey("plan_term.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), index=True)

    price_list: Mapped[PriceList] = relationship()
    plan_term: Mapped[PlanTerm] = relationship()
    resource: Mapped[Resource] = relationship()


class PriceListVersionState(str, enum.Enum):
    DRAFT = "draft"  # being edited; prices nothing
    SCHEDULED = "scheduled"  # its rows are written, dated ``effective_from``; may be withdrawn before
    ACTIVE = "active"  # in effect
    EXPIRED = "expired"  # replaced by a later version


class PriceListVersion(db.Model):
    """A version of the distributor's price list of one marketplace (reseller cost and MSRP per
    plan term and resource). Its rows are a draft until scheduled; scheduling writes them onto
    the list dated ``effective_from`` (``app.catalog.price_versions``)."""

    __table_args__ = (UniqueConstraint("price_list_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_list.id"), index=True)
    number: Mapped[int] = mapped_column()  # 1, 2, ... per list
    name: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default=PriceListVersionState.DRAFT.value, index=True)
    effective_from: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=current_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    scheduled_at: Mapped[datetime | None] = mapped_column()
    scheduled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    price_list: Mapped[PriceList] = relationship()
    rows: Mapped[list[PriceListVersionRow]] = relationship(back_populates="version", cascade="all, delete-orphan")


class PriceListVersionRow(db.Model):
    """One price of a version: a plan term's (``resource_id`` None) or a resource's on a plan term."""

    __table_args__ = (
        UniqueConstraint("version_id", "plan_term_id", "resource_id"),
        CheckConstraint("cost >= 0 AND msrp >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("price_list_version.id"), index=True)
    plan_term_id: Mapped[int] = mapped_column(ForeignKey("plan_term.id"), index=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id"), index=True)
    cost: Mapped[int] = mapped_column()
    msrp: Mapped[int] = mapped_column()

    version: Mapped[PriceListVersion] = relationship(back_populates="rows")

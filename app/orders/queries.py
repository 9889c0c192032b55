"""Read side of orders: a buyer's orders and one order with everything its page shows, each
in a fixed number of queries. Scoped by ``TenantScope`` to the buyer (staff see every order)."""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.access import TenantScope
from app.accounts.models import Organisation
from app.billing.models import Invoice
from app.extensions import db
from app.orders.models import AWAITING_PAYMENT, AWAITING_PAYMENT_STATUS, Order, OrderLine, OrderLineKind, OrderStatus
from app.payments.models import Payment


def _buyer_scope(organisation) -> TenantScope:
    """Orders are their buyer's only: a reseller does not see its customers' orders here."""
    return TenantScope(organisation, customers=False)


def orders_page(organisation, page: int, per_page: int = 20):
    statement = _buyer_scope(organisation).filter(
        select(Order).options(selectinload(Order.lines), joinedload(Order.placed_by), joinedload(Order.buyer)),
        Order.buyer_id,
    ).order_by(Order.created_at.desc(), Order.id.desc())
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def customer_orders_page(reseller, customer, page: int, per_page: int = 20):
    """The orders about one of ``reseller``'s customers, newest first: those the customer placed
    itself and those the reseller placed for it (a line's beneficiary). The caller has checked
    that ``customer`` is the reseller's (its ``TenantScope``)."""
    for_customer = select(OrderLine.order_id).where(OrderLine.beneficiary_id == customer.id)
    statement = select(Order).options(selectinload(Order.lines), joinedload(Order.placed_by), joinedload(Order.buyer)).where(
        or_(Order.buyer_id == customer.id, and_(Order.buyer_id == reseller.id, Order.id.in_(for_customer))),
    ).order_by(Order.created_at.desc(), Order.id.desc())
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def _order_page(number: str):
    """The order with this number and everything its page shows."""
    return select(Order).where(Order.number == number).options(
        joinedload(Order.placed_by),
        joinedload(Order.buyer),
        joinedload(Order.marketplace),
        selectinload(Order.lines).selectinload(OrderLine.items),
        selectinload(Order.lines).joinedload(OrderLine.beneficiary),
        selectinload(Order.lines).joinedload(OrderLine.subscription),
    )


def order_for(number: str, organisation) -> Order | None:
    """The order with this number if the organisation may see it (its buyer, or staff)."""
    if not number or len(number) > 30:
        return None
    return _buyer_scope(organisation).one_or_none(_order_page(number), Order.buyer_id)


def invoices_of(order: Order) -> list[Invoice]:
    return list(db.session.scalars(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id)))


def own_order(number: str, organisation) -> Order:
    """The organisation's own order with this number (to pay it), else 404: staff see every
    order, but only its buyer pays it."""
    scope = TenantScope(organisation, customers=False, staff_sees_all=False)
    return scope.one_or_404(_order_page(number if number and len(number) <= 30 else ""), Order.buyer_id)


def payment_of(order: Order):
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def subscriptions_awaiting_payment(subscription_ids) -> set[int]:
    """Which of these subscriptions were bought by an order still waiting for its payment, in
    one query (what ``app.plans.queries.display_status`` calls "Awaiting payment")."""
    ids = list(subscription_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(OrderLine.subscription_id).join(Order, Order.id == OrderLine.order_id).where(
            OrderLine.subscription_id.in_(ids), OrderLine.kind == OrderLineKind.PURCHASE.value,
            Order.payment_status.in_(AWAITING_PAYMENT))
    ))


def one_time_units_bought(subscription_id: int) -> dict[str, int]:
    """Units bought for the subscription by its purchase and change orders, by resource code:
    what a one-time service (QuickStart), which the subscription does not hold as a quantity,
    was bought in."""
    bought: dict[str, int] = {}
    lines = db.session.scalars(select(OrderLine).where(OrderLine.subscription_id == subscription_id))
    for line in lines:
        before = line.previous_quantities or {} if line.kind == OrderLineKind.CHANGE.value else {}
        for code, quantity in (line.quantities or {}).items():
            bought[code] = bought.get(code, 0) + max(0, int(quantity) - int(before.get(code, 0)))
    return bought


# The back office's order filters: an order's status as every page shows it (``display_status``).
STAFF_STATUS_FILTERS = (AWAITING_PAYMENT_STATUS,) + tuple(status.value for status in OrderStatus)


def staff_orders_listing(status: str | None, search: str):
    """Every organisation's orders, newest first, for the back office: by displayed status, and
    by order number or buyer name (``search``); lines, buyer and placer loaded with the page."""
    statement = select(Order).options(selectinload(Order.lines), joinedload(Order.placed_by), joinedload(Order.buyer))
    placed = Order.status == OrderStatus.PLACED.value
    if status == AWAITING_PAYMENT_STATUS:
        statement = statement.where(placed, Order.payment_status.in_(AWAITING_PAYMENT))
    elif status == OrderStatus.PLACED.value:
        statement = statement.where(placed, Order.payment_status.not_in(AWAITING_PAYMENT))
    elif status in STAFF_STATUS_FILTERS:
        statement = statement.where(Order.status == status)
    search = " ".join(search.split())[:60]
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(Order.number.ilike(pattern, escape="\\")
                                    | Order.buyer.has(Organisation.name.ilike(pattern, escape="\\")))
    return statement.order_by(Order.created_at.desc(), Order.id.desc())
def order_bought_by(number: str, buyer) -> Order | None:
    """The order with this number whose buyer is ``buyer``, with everything its page shows; the
    caller has scoped ``buyer`` already (a reseller's panel: one of its customers)."""
    if not number or len(number) > 30:
        return None
    return db.session.scalar(_order_page(number).where(Order.buyer_id == buyer.id))

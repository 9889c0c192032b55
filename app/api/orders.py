"""/api/v1/orders: quote (the checkout's preview), place (``app.orders.checkout.place_order``,
idempotent by the request's ``Idempotency-Key``), get and list the organisation's own orders."""
from __future__ import annotations

import hashlib
import uuid

import marshmallow as ma
from flask import g, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.access import TenantScope, acting_organisation
from app.api.common import ListArgs, MoneySchema, UtcDateTime, list_schema, money, page
from app.api.errors import abort_api
from app.api.framework import IDEMPOTENCY_PARAMETER, acting_user, api_blueprint
from app.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from app.api.quotes import QuoteSchema, quote_dict
from app.billing.models import PaymentMethodName
from app.catalog.reference import all_marketplaces
from app.core.clock import current_now
from app.orders.checkout import CheckoutRequest, place_order, prepare
from app.orders.lines import Beneficiary, LineRequest
from app.orders.models import Order
from app.orders.queries import order_for

bp = api_blueprint("orders", "/orders", "Orders: quote, place, read. Payment is on account (card payments need "
                                        "the buyer's browser for 3-D Secure: use the panel).")
MAX_ID = 2**31 - 1


class NewCustomerSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    admin_email = ma.fields.Email(required=True, validate=ma.validate.Length(3, 254))


class LineArgs(ma.Schema):
    plan_term_id = ma.fields.Integer(required=True, validate=ma.validate.Range(1, MAX_ID))
    quantities = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(1, 80)),
                                values=ma.fields.Integer(validate=ma.validate.Range(0, 9_999_999)), load_default=dict,
                                metadata={"description": "Resource code -> total quantity (included plus extra)."})
    parameters = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(1, 50)),
                                values=ma.fields.String(validate=ma.validate.Length(0, 500)), load_default=dict,
                                metadata={"description": "Ordering parameters of the product, by key."})
    customer_id = ma.fields.Integer(validate=ma.validate.Range(1, MAX_ID),
                                    metadata={"description": "For a reseller: one of its customers."})
    new_customer = ma.fields.Nested(NewCustomerSchema, metadata={"description": "For a reseller: a customer the "
                                                                               "order creates (its admin is invited)."})
    postponed_billing = ma.fields.Boolean(load_default=False)

    @ma.validates_schema
    def one_beneficiary(self, data, **kwargs):
        if "customer_id" in data and "new_customer" in data:
            raise ma.ValidationError("Give customer_id or new_customer, not both.", "customer_id")


class QuoteArgs(ma.Schema):
    lines = ma.fields.List(ma.fields.Nested(LineArgs), required=True, validate=ma.validate.Length(1, 50))


class PlaceArgs(QuoteArgs):
    fingerprint = ma.fields.String(required=True, validate=ma.validate.Length(1, 128),
                                   metadata={"description": "The quote's fingerprint: the amounts you accept."})
    accepted_terms = ma.fields.List(ma.fields.String(validate=ma.validate.Length(1, 200)), load_default=list,
                                    validate=ma.validate.Length(0, 50),
                                    metadata={"description": "The token of every terms document the quote lists."})
    payment_method = ma.fields.String(load_default=PaymentMethodName.ON_ACCOUNT.value,
                                      validate=ma.validate.OneOf([PaymentMethodName.ON_ACCOUNT.value]))


class TermsSchema(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "Send it in accepted_terms."})
    title = ma.fields.String(required=True)
    version = ma.fields.String(required=True)
    text = ma.fields.String(required=True)


class OrderQuoteSchema(ma.Schema):
    quote = ma.fields.Nested(QuoteSchema, required=True)
    terms = ma.fields.List(ma.fields.Nested(TermsSchema), required=True)


class OrderLineSchema(ma.Schema):
    position = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "purchase or change"})
    description = ma.fields.String(required=True)
    plan_term_id = ma.fields.Integer(required=True)
    customer_id = ma.fields.Integer(required=True, metadata={"description": "Whose subscription it is."})
    subscription_id = ma.fields.Integer(allow_none=True, required=True)
    quantities = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)


class OrderSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    payment_method = ma.fields.String(required=True)
    payment_status = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)
    tax = ma.fields.Nested(MoneySchema, required=True)
    total = ma.fields.Nested(MoneySchema, required=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema), required=True)
    created_at = UtcDateTime(required=True)


class OrderListArgs(ListArgs):
    created_since = UtcDateTime(metadata={"description": "Only orders placed at or after this time (RFC 3339)."})


OrderList = list_schema(OrderSchema, "OrderList")


def order_idempotency_key() -> str:
    """The key the order itself is stored under (unique across organisations, at most 64
    characters): derived from the organisation and the request's Idempotency-Key, else new."""
    sent = request.headers.get(IDEMPOTENCY_HEADER)
    if not sent:
        return f"api-{uuid.uuid4().hex}"
    return "api-" + hashlib.sha256(f"{g.api_organisation.id}:{sent}".encode()).hexdigest()[:56]


def present_order(order: Order) -> dict:
    currency = order.currency
    return {
        "id": order.id, "number": order.number, "status": order.status, "payment_method": order.payment_method,
        "payment_status": order.payment_status, "currency": currency, "subtotal": money(order.subtotal, currency),
        "tax": money(order.tax, currency), "total": money(order.total, currency), "created_at": order.created_at,
        "lines": [{"position": line.position, "kind": line.kind, "description": line.description,
                   "plan_term_id": line.plan_term_id, "customer_id": line.beneficiary_id,
                   "subscription_id": line.subscription_id, "quantities": dict(line.quantities),
                   "subtotal": money(line.subtotal, currency)} for line in order.lines],
    }


def _marketplace():
    """Orders are in the buyer's own marketplace (its currency)."""
    marketplaces = all_marketplaces()
    marketplace = marketplaces.by_id.get(acting_organisation().marketplace_id)
    if marketplace is None:
        abort_api(409, "Your organisation has no marketplace yet: ask your distributor to set one.")
    return marketplace


def _line(args: dict) -> LineRequest:
    if "new_customer" in args:
        beneficiary = Beneficiary.new_customer(args["new_customer"]["name"], args["new_customer"]["admin_email"])
    elif "customer_id" in args:
        beneficiary = Beneficiary.customer(args["customer_id"])
    else:
        beneficiary = Beneficiary.self_()
    return LineRequest(args["plan_term_id"], dict(args["quantities"]), dict(args["parameters"]), beneficiary,
                       args["postponed_billing"])


@bp.route("/quote", methods=["POST"])
@bp.arguments(QuoteArgs)
@bp.response(200, OrderQuoteSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
def quote(args):
    """Validate and price lines at the organisation's prices, as the checkout shows them; the
    terms to accept. Changes nothing."""
    preview = prepare(acting_organisation(), _marketplace(), [_line(line) for line in args["lines"]],
                      placed_by=acting_user())
    return {"quote": quote_dict(preview.quote),
            "terms": [{"token": t.token, "title": t.title, "version": t.version, "text": t.text} for t in preview.terms]}


@bp.route("", methods=["POST"])
@bp.arguments(PlaceArgs)
@bp.response(201, OrderSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
def place(args):
    """Place the quoted order: 409 with the new quote when prices moved since the quote."""
    checkout = CheckoutRequest(buyer=acting_organisation(), placed_by=acting_user(), marketplace=_marketplace(),
                               lines=[_line(line) for line in args["lines"]], idempotency_key=order_idempotency_key(),
                               fingerprint=args["fingerprint"], accepted_terms=frozenset(args["accepted_terms"]),
                               payment_method=args["payment_method"])
    order = place_order(checkout, current_now())
    presented = present_order(order_for(order.number, acting_organisation()))
    return presented, 201, {"Location": url_for(".get_order", number=order.number)}


def _orders():
    return TenantScope(acting_organisation(), customers=False)


@bp.route("", methods=["GET"])
@bp.arguments(OrderListArgs, location="query")
@bp.response(200, OrderList)
def list_orders(args):
    """The organisation's own orders (a reseller's orders for its customers included)."""
    statement = _orders().filter(select(Order).options(selectinload(Order.lines)), Order.buyer_id)
    if "created_since" in args:
        statement = statement.where(Order.created_at >= args["created_since"])
    rows, has_more = page(statement, Order.id, args)
    return {"data": [present_order(order) for order in rows], "has_more": has_more}


@bp.route("/<string(maxlength=30):number>", methods=["GET"])
@bp.response(200, OrderSchema)
def get_order(number):
    """One order by its number."""
    order = order_for(number, acting_organisation())
    if order is None:
        abort_api(404, "That order was not found.")
    return present_order(order)

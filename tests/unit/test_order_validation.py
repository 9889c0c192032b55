"""Every rule an order line must meet, without a database (plain stand-ins for the rows)."""
from types import SimpleNamespace

import pytest

from app.orders.lines import Beneficiary, LineRequest
from app.orders.validation import (
    OrderInvalid, Purchaser, QuantityInvalid, eligibility_problem, line_problems, new_customers_of, parse_quantity,
    validate_lines,
)


def org(kind="reseller", reselling=True, id=1, parent=None):
    return SimpleNamespace(id=id, name=f"Org {id}", is_distributor=kind == "distributor", is_customer=kind == "customer",
                           acts_as_reseller=kind == "reseller" and reselling, parent=parent)


def resource(code="seats", seats=True, one_time=False, name="Seats"):
    return SimpleNamespace(code=code, name=name, unit="seat", measures_seats=seats, is_one_time=one_time)


def plan_resource(res, included=5, minimum=5, maximum=100, step=1, id=1):
    return SimpleNamespace(resource=res, resource_id=id, included=included, minimum=minimum, maximum=maximum, step=step)


def make_term(audience="customer", kind="organisation", resources=None, parameters=(), renewal_only=False,
              postponed=False, published=True):
    product = SimpleNamespace(name="Sync Tool", published=True, renewal_upgrade_only=renewal_only, parameters=list(parameters))
    resources = resources if resources is not None else [plan_resource(resource()), plan_resource(resource("qs", False, True, "QuickStart"), 0, 0, 1, id=2)]
    plan = SimpleNamespace(name="Sync Plan", audience=audience, kind=kind, published=published, product=product,
                           resources=resources, postponed_billing_allowed=postponed)
    return SimpleNamespace(id=10, name="Monthly", plan=plan)


class Book:
    def __init__(self, priced=True, resources_priced=True):
        self.priced, self.resources_priced = priced, resources_priced

    def has_plan_term(self, term_id):
        return self.priced

    def has_resource(self, term_id, resource_id):
        return self.resources_priced


MARKET = SimpleNamespace(name="United States")
RESELLER = org()
CUSTOMERS = frozenset({7, 8})


def problems(term, quantities=None, beneficiary=None, purchaser=Purchaser(RESELLER, CUSTOMERS), book=None, **extra):
    request = LineRequest(10, quantities or {}, extra.pop("parameters", {}), beneficiary or Beneficiary.customer(7), **extra)
    return [p.message for p in line_problems(request, term, MARKET, book or Book(), purchaser)[0]]


# who may buy what
@pytest.mark.parametrize("audience, buyer, beneficiary, expected", [
    ("reseller", org(), Beneficiary.self_(), None),
    ("reseller", org(), Beneficiary.customer(7), "is for your own use"),
    ("reseller", org(reselling=False), Beneficiary.self_(), "not enabled for reselling"),
    ("reseller", org("customer"), Beneficiary.self_(), "not enabled for reselling"),
    ("customer", org(), Beneficiary.customer(7), None),
    ("customer", org(), Beneficiary.new_customer("New Co", "it@new.example"), None),
    ("customer", org(), Beneficiary.self_(), "choose the customer you are buying it for"),
    ("customer", org(), Beneficiary.customer(99), "That customer is not one of yours"),
    ("customer", org("customer"), Beneficiary.self_(), None),
    ("customer", org("customer"), Beneficiary.customer(7), "Only resellers buy for other organisations"),
    ("customer", org(reselling=False), Beneficiary.self_(), None),  # the distributor's direct customer, at MSRP
    ("customer", org(reselling=False), Beneficiary.new_customer("X", "x@x.example"), "Only resellers"),
    ("customer", org("distributor"), Beneficiary.self_(), "distributor does not buy"),
    ("internal", org(), Beneficiary.self_(), "is not for sale"),
])
def test_who_may_buy_what(audience, buyer, beneficiary, expected):
    problem = eligibility_problem(make_term(audience).plan, buyer, beneficiary, CUSTOMERS)
    assert (problem is None) if expected is None else (expected in problem.message)


def test_a_valid_line_has_no_problem_and_gets_every_quantity():
    request = LineRequest(10, {"seats": 12}, {}, Beneficiary.customer(7))
    found, cleaned = line_problems(request, make_term(), MARKET, Book(), Purchaser(RESELLER, CUSTOMERS))
    assert found == [] and cleaned.quantities == {"seats": 12, "qs": 0}


@pytest.mark.parametrize("quantity, message", [
    (4, "Seats: choose between 5 and 100."),
    (101, "Seats: choose between 5 and 100."),
    (-1, "Seats: the quantity cannot be negative."),
    ("7", "Seats: enter a whole number."),
    (True, "Seats: enter a whole number."),
])
def test_quantities_outside_the_bounds_or_not_integers_are_refused(quantity, message):
    assert problems(make_term(), {"seats": quantity}) == [message]


def test_quantities_follow_the_step_from_the_minimum():
    term = make_term(resources=[plan_resource(resource(), 25, 25, 500, step=25)])
    assert problems(term, {"seats": 75}) == []
    assert problems(term, {"seats": 60}) == ["Seats: choose in steps of 25 (25, 50, 75, …)."]


def test_unknown_resources_are_refused():
    assert problems(make_term(), {"storage": 1}) == ["“storage” is not part of Sync Plan."]


def test_single_user_plans_hold_exactly_one_seat():
    term = make_term(kind="single_user", resources=[plan_resource(resource(), 1, 1, 10)])
    assert problems(term, {"seats": 1}) == []
    assert problems(term, {"seats": 2}) == ["Sync Plan is a single-user plan: it has exactly one seat."]


def test_renewal_and_upgrade_only_products_are_refused_for_new_orders():
    assert problems(make_term(renewal_only=True)) == [
        "Sync Tool is sold for renewals and upgrades of existing subscriptions only; it cannot be ordered new."]


def test_unpublished_or_missing_plans_are_refused():
    assert problems(make_term(published=False)) == ["This plan is no longer sold."]
    assert problems(None) == ["This plan is no longer sold."]


def test_plans_not_priced_in_the_marketplace_are_refused():
    assert problems(make_term(), book=Book(priced=False)) == ["Sync Plan (Monthly) is not sold in United States."]


def test_extra_resources_without_a_price_are_refused():
    assert problems(make_term(), {"seats": 6}, book=Book(resources_priced=False)) == [
        "Seats cannot be added to Sync Plan in United States."]


def test_postponed_billing_only_where_the_plan_offers_it():
    assert problems(make_term(), postponed_billing=True) == ["Sync Plan does not offer a free first month."]
    assert problems(make_term(postponed=True), postponed_billing=True) == []


def test_ordering_parameters_are_checked_by_type():
    domain = SimpleNamespace(kind="domain", key="domain", label="Domain", required=True, default="", choices=[], max_length=200)
    assert problems(make_term(parameters=[domain]), parameters={"domain": "not a domain"}) == [
        "Domain: “not a domain” is not a valid domain name, e.g. example.com."]


def test_a_new_customer_needs_a_name_and_an_administrator_email():
    found = problems(make_term(), beneficiary=Beneficiary.new_customer("", "not-an-email"))
    assert found == ["Enter the new customer's organisation name (up to 200 characters).",
                     "Enter the e-mail address of the new customer's administrator."]


def test_a_new_customer_may_not_be_named_like_one_of_the_resellers_customers():
    taken = Purchaser(RESELLER, CUSTOMERS, taken_names=frozenset({"customer a"}))
    assert problems(make_term(), beneficiary=Beneficiary.new_customer(" Customer   A ", "it@a.example"), purchaser=taken) == [
        "You already have a customer named Customer A: order for that customer, or give the new one another name."]
    assert problems(make_term(), beneficiary=Beneficiary.new_customer("Customer AB", "it@a.example"), purchaser=taken) == []


def test_lines_opening_one_new_customer_give_it_one_administrator():
    lines = [LineRequest(10, {}, {}, Beneficiary.new_customer(name, email))
             for name, email in (("New Co", "it@new.example"), ("new  co", "it@new.example"), ("New Co", "boss@new.example"))]
    purchaser = Purchaser(RESELLER, CUSTOMERS, new_customer_emails=new_customers_of(lines))
    with pytest.raises(OrderInvalid) as refused:
        validate_lines(lines, {10: make_term()}, MARKET, Book(), purchaser)
    assert [(p.line, p.field, p.message) for p in refused.value.problems] == [
        (2, "new_customer_email", "Another line opens the new customer New Co with the administrator it@new.example: "
                                  "give both the same administrator, or this one another name.")]


def test_anonymous_carts_are_not_checked_for_who_buys():
    assert problems(make_term(), beneficiary=Beneficiary.self_(), purchaser=Purchaser(None)) == []


def test_validate_lines_tags_problems_with_their_line_and_refuses_empty_orders():
    with pytest.raises(OrderInvalid) as refused:
        validate_lines([LineRequest(10, {"seats": 1}, {}, Beneficiary.customer(7))], {10: make_term()}, MARKET, Book(),
                       Purchaser(RESELLER, CUSTOMERS))
    assert [(p.line, p.field) for p in refused.value.problems] == [(0, "qty-seats")]
    with pytest.raises(OrderInvalid, match="Your cart is empty"):
        validate_lines([], {}, MARKET, Book(), Purchaser(RESELLER))


@pytest.mark.parametrize("text, expected", [("0", 0), (" 12 ", 12), ("1000000", 1_000_000)])
def test_parse_quantity_accepts_whole_numbers(text, expected):
    assert parse_quantity(text, "Seats") == expected


@pytest.mark.parametrize("text, message", [
    ("-3", "cannot be negative"), ("2.5", "whole number"), ("abc", "whole number"), ("", "enter a quantity"),
    ("1e3", "whole number"), ("99999999999999999999", "too large"), ("1000001", "too large"), ("１２", "whole number"),
])
def test_parse_quantity_refuses_anything_else(text, message):
    with pytest.raises(QuantityInvalid, match=message):
        parse_quantity(text, "Seats")

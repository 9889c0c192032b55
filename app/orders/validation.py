"""Every rule an order line must meet before it is priced or placed, in one module.

Who may buy what (``eligibility_problem``; which audiences each kind of buyer may buy is the
catalog's one rule, ``app.catalog.eligibility``, which the storefront shows by):
- a **reseller plan** only by an organisation acting as a reseller, for its own use;
- a **customer plan** only for a customer: a reseller buys it for one of its existing customers
  or for a new customer; a customer buys it for itself; so does a direct customer of the
  distributor (a reseller-kind organisation without reselling enabled, at MSRP);
- the distributor does not buy from its own marketplace.

Then: the plan is published and priced in the marketplace; "renewal and upgrade only" products
are refused for new orders; every quantity is a whole number within the plan resource's minimum
and maximum, on its step; single-user plans hold exactly one seat; postponed billing only where
the plan offers it; ordering parameters by type (``app.catalog.parameters``).

A **new customer** a line opens meets ``app.accounts.customers``' rules (its name and its
administrator's e-mail, which becomes its contact's), is not named like one of the reseller's
customers (``Purchaser.taken_names``, read by the checkout), and every line opening a customer
of the same name gives it the same administrator (they make one customer).

Problems are collected, not raised one by one, so the buyer sees all of them at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from app.accounts.customers import CustomerRefused, name_key, valid_email, valid_name
from app.catalog.eligibility import BuyerKind, buyer_kind
from app.catalog.models import Audience, PlanKind
from app.catalog.parameters import clean_values
from app.core.errors import Refusal
from app.core.text import end_sentence
from app.orders.lines import Beneficiary, BeneficiaryKind, LineRequest

MAX_QUANTITY = 1_000_000
MAX_LINES = 50


@dataclass(frozen=True)
class Problem:
    """One reason a line cannot be ordered; ``field`` names the input it is about."""

    message: str
    field: str | None = None  # "qty-<resource code>", "param-<key>", "beneficiary", ...
    line: int | None = None  # index of the line in the request


class OrderInvalid(Refusal):
    """The lines cannot be ordered as they are; ``problems`` say why, for the buyer (the
    message joins them)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = list(problems)


class QuantityInvalid(Refusal, ValueError):
    """A typed quantity is not one (``ValueError`` too: it is a parse error)."""


@dataclass(frozen=True)
class Purchaser:
    """Who buys: the paying organisation (``None`` for an anonymous visitor, whose cart is
    checked for everything but who may buy it) and the ids of its own customers."""

    organisation: object | None
    customer_ids: frozenset[int] = field(default_factory=frozenset)
    # Of the new customers the lines open: the ``name_key``s the reseller's customers have
    # already, and the administrator's e-mail the first line gives each name (by ``name_key``).
    taken_names: frozenset[str] = field(default_factory=frozenset)
    new_customer_emails: Mapping[str, str] = field(default_factory=dict)


def new_customers_of(lines: Sequence[LineRequest]) -> dict[str, str]:
    """The new customers ``lines`` open: ``{name_key: the first line's administrator e-mail}``."""
    opened: dict[str, str] = {}
    for line in lines:
        if line.beneficiary.kind is BeneficiaryKind.NEW_CUSTOMER:
            opened.setdefault(name_key(line.beneficiary.name), line.beneficiary.admin_email)
    return opened


def parse_quantity(text: object, label: str) -> int:
    """A quantity typed in a form: digits only, at most ``MAX_QUANTITY``."""
    value = str(text if text is not None else "").strip()
    if not value:
        raise QuantityInvalid(f"{label}: enter a quantity.")
    if value.startswith("-"):
        raise QuantityInvalid(f"{label}: the quantity cannot be negative.")
    if not value.isascii() or not value.isdigit():
        raise QuantityInvalid(f"{label}: enter a whole number.")
    if len(value) > 7 or int(value) > MAX_QUANTITY:
        raise QuantityInvalid(f"{label}: that quantity is too large.")
    return int(value)


def default_quantity(plan_resource) -> int:
    return max(plan_resource.included, plan_resource.minimum)


def effective_quantities(plan, quantities: Mapping[str, int]) -> dict[str, int]:
    """The quantity of every resource of the plan: the requested one, else its default."""
    return {pr.resource.code: quantities.get(pr.resource.code, default_quantity(pr)) for pr in plan.resources}


def quantity_problems(plan, quantities: Mapping[str, object]) -> list[Problem]:
    problems = []
    codes = {pr.resource.code for pr in plan.resources}
    for code in quantities:
        if code not in codes:
            problems.append(Problem(end_sentence(f"“{code}” is not part of {plan.name}"), f"qty-{code}"))
    for pr in plan.resources:
        resource, name = pr.resource, pr.resource.name
        quantity = quantities.get(resource.code, default_quantity(pr))
        where = f"qty-{resource.code}"
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            problems.append(Problem(f"{name}: enter a whole number.", where))
        elif quantity < 0:
            problems.append(Problem(f"{name}: the quantity cannot be negative.", where))
        elif plan.kind == PlanKind.SINGLE_USER.value and resource.measures_seats and quantity != 1:
            problems.append(Problem(f"{plan.name} is a single-user plan: it has exactly one {resource.unit}.", where))
        elif not pr.minimum <= quantity <= pr.maximum:
            problems.append(Problem(f"{name}: choose between {pr.minimum} and {pr.maximum}.", where))
        elif (quantity - pr.minimum) % pr.step:
            examples = ", ".join(str(pr.minimum + pr.step * i) for i in range(3) if pr.minimum + pr.step * i <= pr.maximum)
            problems.append(Problem(f"{name}: choose in steps of {pr.step} ({examples}, …).", where))
    return problems


def eligibility_problem(plan, buyer, beneficiary: Beneficiary, customer_ids: frozenset[int]) -> Problem | None:
    """Whether ``buyer`` may buy ``plan`` (``app.catalog.eligibility``) for ``beneficiary``
    (see the module's rules)."""
    kind = buyer_kind(buyer)
    if kind is BuyerKind.DISTRIBUTOR:
        return Problem("The distributor does not buy from its own marketplace.")
    if plan.audience not in kind.buyable:
        if plan.audience == Audience.RESELLER.value:
            return Problem(f"{plan.name} is for resellers' own use; your organisation is not enabled for reselling.")
        return Problem(f"{plan.name} is not for sale.")
    if plan.audience == Audience.RESELLER.value:
        if beneficiary.kind is not BeneficiaryKind.SELF:
            return Problem(f"{plan.name} is for your own use: it cannot be bought for a customer.", "beneficiary")
        return None
    if kind is not BuyerKind.RESELLER:
        if beneficiary.kind is not BeneficiaryKind.SELF:
            return Problem("Only resellers buy for other organisations: this plan is for your own organisation.", "beneficiary")
        return None
    if beneficiary.kind is BeneficiaryKind.SELF:
        return Problem(f"{plan.name} is a plan for customers: choose the customer you are buying it for.", "beneficiary")
    if beneficiary.kind is BeneficiaryKind.CUSTOMER and beneficiary.organisation_id not in customer_ids:
        return Problem("That customer is not one of yours.", "beneficiary")
    return None


def name_taken_problem(name: str, line: int | None = None) -> Problem:
    """A new customer named like one the reseller has (``DuplicateCustomer``), in the ordering
    forms' words."""
    return Problem(f"You already have a customer named {name}: order for that customer, or give the new one another "
                   "name.", "new_customer_name", line)


def new_customer_problems(beneficiary: Beneficiary, purchaser: Purchaser) -> list[Problem]:
    """The problems of the new customer a line opens (none for another beneficiary): the
    account rules of ``app.accounts.customers``, in the words of the ordering forms."""
    if beneficiary.kind is not BeneficiaryKind.NEW_CUSTOMER:
        return []
    problems, name = [], beneficiary.name
    try:
        name = valid_name(beneficiary.name)
    except CustomerRefused:
        problems.append(Problem("Enter the new customer's organisation name (up to 200 characters).", "new_customer_name"))
    try:
        valid_email(beneficiary.admin_email, "contact_email")
    except CustomerRefused:
        problems.append(Problem("Enter the e-mail address of the new customer's administrator.", "new_customer_email"))
    if problems:
        return problems
    key = name_key(name)
    if key in purchaser.taken_names:
        return [name_taken_problem(name)]
    first_email = purchaser.new_customer_emails.get(key, beneficiary.admin_email)
    if first_email != beneficiary.admin_email:
        return [Problem(f"Another line opens the new customer {name} with the administrator {first_email}: "
                        "give both the same administrator, or this one another name.", "new_customer_email")]
    return []


def line_problems(request: LineRequest, term, marketplace, book, purchaser: Purchaser) -> tuple[list[Problem], LineRequest]:
    """The problems of one line and the line with cleaned parameters and every quantity."""
    if term is None or not term.plan.published or not term.plan.product.published:
        return [Problem("This plan is no longer sold.")], request
    plan, product = term.plan, term.plan.product
    problems = []
    if product.renewal_upgrade_only:
        problems.append(Problem(f"{product.name} is sold for renewals and upgrades of existing subscriptions only; it cannot be ordered new."))
    if not book.has_plan_term(term.id):
        problems.append(Problem(end_sentence(f"{plan.name} ({term.name}) is not sold in {marketplace.name}")))
    problems += quantity_problems(plan, request.quantities)
    quantities = effective_quantities(plan, request.quantities)
    for pr in plan.resources:
        quantity = quantities[pr.resource.code]
        if isinstance(quantity, int) and quantity > pr.included and not book.has_resource(term.id, pr.resource_id):
            problems.append(Problem(end_sentence(f"{pr.resource.name} cannot be added to {plan.name} in {marketplace.name}"),
                                    f"qty-{pr.resource.code}"))
    if request.postponed_billing and not plan.postponed_billing_allowed:
        problems.append(Problem(f"{plan.name} does not offer a free first month.", "postponed_billing"))
    parameters, errors = clean_values(product.parameters, request.parameters)
    problems += [Problem(message, f"param-{key}") for key, message in errors.items()]
    if purchaser.organisation is not None:
        eligibility = eligibility_problem(plan, purchaser.organisation, request.beneficiary, purchaser.customer_ids)
        problems += [eligibility] if eligibility else new_customer_problems(request.beneficiary, purchaser)
    return problems, replace(request, quantities=quantities, parameters=parameters)


def validate_lines(requests: Sequence[LineRequest], terms: Mapping[int, object], marketplace, book,
                   purchaser: Purchaser) -> list[LineRequest]:
    """The lines, cleaned, when all of them can be ordered; else ``OrderInvalid`` with every
    problem, each tagged with its line's index."""
    if not requests:
        raise OrderInvalid([Problem("Your cart is empty.")])
    if len(requests) > MAX_LINES:
        raise OrderInvalid([Problem(f"An order holds at most {MAX_LINES} lines.")])
    problems, cleaned = [], []
    for index, request in enumerate(requests):
        line_errors, clean = line_problems(request, terms.get(request.plan_term_id), marketplace, book, purchaser)
        problems += [replace(problem, line=index) for problem in line_errors]
        cleaned.append(clean)
    if problems:
        raise OrderInvalid(problems)
    return cleaned

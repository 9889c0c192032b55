"""Reading a cart line's inputs from a posted form: ``qty-<resource code>`` and ``param-<key>``.

Quantities are totals (included plus extra). A resource that is either taken or not (minimum
0, maximum 1: a QuickStart service, an integration) is a checkbox: absent means 0. Any other
absent quantity keeps ``fallback`` (the line's current quantity, else the plan's default).
"""
from __future__ import annotations

from typing import Mapping

from app.orders.lines import Beneficiary
from app.orders.validation import Problem, QuantityInvalid, default_quantity, parse_quantity


def is_toggle(plan_resource) -> bool:
    return plan_resource.minimum == 0 and plan_resource.maximum == 1


def is_fixed(plan_resource) -> bool:
    return plan_resource.minimum == plan_resource.maximum


def read_quantities(form: Mapping, plan, fallback: Mapping[str, int] | None = None) -> tuple[dict[str, int], list[Problem]]:
    quantities, problems = {}, []
    for pr in plan.resources:
        code = pr.resource.code
        name = f"qty-{code}"
        current = (fallback or {}).get(code, default_quantity(pr))
        if is_toggle(pr):
            quantities[code] = 1 if form.get(name) in ("1", "on", "true") else 0
            continue
        if name not in form or is_fixed(pr):
            quantities[code] = current
            continue
        try:
            quantities[code] = parse_quantity(form.get(name), pr.resource.name)
        except QuantityInvalid as invalid:
            problems.append(Problem(str(invalid), name))
    return quantities, problems


def read_parameters(form: Mapping, product) -> dict[str, str]:
    return {p.key: str(form.get(f"param-{p.key}", ""))[:1000] for p in product.parameters}


def read_beneficiary(choice: str, name: str, admin_email: str) -> Beneficiary:
    """``self``, ``customer:<id>`` or ``new`` from the line form's select."""
    if choice.startswith("customer:") and choice[9:].isdigit() and len(choice) < 30:
        return Beneficiary.customer(int(choice[9:]))
    if choice == "new":
        return Beneficiary.new_customer(name or "", admin_email or "")
    return Beneficiary.self_()


def beneficiary_choice(beneficiary: Beneficiary) -> str:
    if beneficiary.kind.value == "customer":
        return f"customer:{beneficiary.organisation_id}"
    if beneficiary.kind.value == "new_customer":
        return "new"
    return "self"

"""Ordering parameters: the one place that checks a value against its parameter's type.

Types: ``text`` (max length), ``choice`` (one of the choices), ``domain`` (a syntactically valid
host name with at least two labels), ``email`` (checked by email-validator, no DNS). A required
parameter left empty takes its default when it has one, else is an error. Values are stripped;
domains and e-mail domains are lower-cased.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

from email_validator import EmailNotValidError, validate_email

from app.catalog.models import ParameterKind
from app.core.errors import Refusal

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOP_LEVEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
MAX_VALUE_LENGTH = 500


class ParameterInvalid(Refusal, ValueError):
    """A value does not fit its parameter; the message is for the buyer."""


def is_domain_name(value: str) -> bool:
    """``example.com``, ``mail.example.co.uk``: labels of letters, digits and inner hyphens."""
    if not value or len(value) > 253:
        return False
    labels = value.split(".")
    if len(labels) < 2:
        return False
    return all(_LABEL.match(label) for label in labels) and bool(_TOP_LEVEL.match(labels[-1]))


def clean_value(parameter, raw: object) -> str:
    """The value to store for ``parameter``, or ``ParameterInvalid`` with a message."""
    value = raw.strip() if isinstance(raw, str) else ("" if raw is None else None)
    if value is None:
        raise ParameterInvalid(f"{parameter.label}: enter text.")
    if not value and parameter.default:
        value = parameter.default
    if not value:
        if parameter.required:
            raise ParameterInvalid(f"{parameter.label} is required.")
        return ""
    if len(value) > MAX_VALUE_LENGTH:
        raise ParameterInvalid(f"{parameter.label} is too long.")
    kind = parameter.kind
    if kind == ParameterKind.CHOICE.value:
        allowed = [str(choice[0]) for choice in parameter.choices or []]
        if value not in allowed:
            raise ParameterInvalid(f"{parameter.label}: choose one of the listed options.")
        return value
    if kind == ParameterKind.DOMAIN.value:
        value = value.lower().rstrip(".")
        if not is_domain_name(value):
            raise ParameterInvalid(f"{parameter.label}: “{value}” is not a valid domain name, e.g. example.com.")
        return value
    if kind == ParameterKind.EMAIL.value:
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ParameterInvalid(f"{parameter.label}: “{value}” is not a valid e-mail address.") from None
    if len(value) > parameter.max_length:
        raise ParameterInvalid(f"{parameter.label}: at most {parameter.max_length} characters.")
    return value


def clean_values(parameters: Iterable, raw: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """``(values, errors)`` for every parameter of a product, keyed by parameter key. Keys in
    ``raw`` that are not parameters of the product are ignored."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for parameter in parameters:
        try:
            values[parameter.key] = clean_value(parameter, raw.get(parameter.key))
        except ParameterInvalid as invalid:
            errors[parameter.key] = str(invalid)
    return values, errors


def shown_values(parameters: Iterable, values: Mapping[str, object]) -> list[tuple[str, str]]:
    """``(label, value)`` of each ordering parameter with a value, as a buyer reads it: in the
    product's order, a choice by its label ("Europe (Frankfurt)"), not its code. Values whose
    parameter the product no longer has follow, under their key."""
    shown, known = [], set()
    for parameter in parameters:
        known.add(parameter.key)
        value = str(values.get(parameter.key) or "")
        if not value:
            continue
        if parameter.kind == ParameterKind.CHOICE.value:
            value = next((str(label) for code, label in parameter.choices or [] if str(code) == value), value)
        shown.append((parameter.label, value))
    shown += [(key.replace("_", " ").capitalize(), str(value)) for key, value in values.items() if value and key not in known]
    return shown


def parameter_summary(parameters: Iterable, values: Mapping[str, object] | None) -> str:
    """``shown_values`` on one line: "Data location: Europe (Frankfurt); Domain: example.com"."""
    return "; ".join(f"{label}: {value}" for label, value in shown_values(parameters, values or {}))

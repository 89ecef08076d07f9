"""The issues the validation walk reports, worded in one place: each function builds one `Issue`.

Messages name the value (its FHIRPath), what was expected and which definition says so, so that a
person reading an OperationOutcome can fix the resource without the profile at hand.
"""

from __future__ import annotations

from typing import Any

import orjson

from fhir_p2p.errors import Issue, Severity
from fhir_p2p.validation import rules
from fhir_p2p.validation.elements import UNBOUNDED, Constraint, Element, Structure


def fixed_value(element: Element, expression: str) -> Issue:
    message = f"{expression} must be exactly {_show(element.fixed)} (fixed by {element.tree.url})"
    return Issue("error", "value", message, expression, rules.FIXED_VALUE)


def pattern_value(element: Element, expression: str) -> Issue:
    message = f"{expression} must contain {_show(element.pattern)} (pattern of {element.tree.url})"
    return Issue("error", "value", message, expression, rules.PATTERN_VALUE)


def too_few(element: Element, count: int, expression: str) -> Issue:
    what = "is required" if count == 0 else f"needs at least {element.min} values, found {count}"
    message = f"{expression} {what} ({element.path} {_cardinality(element)} in {element.tree.url})"
    return Issue("error", "required", message, expression, rules.TOO_FEW)


def too_many(element: Element, count: int, expression: str) -> Issue:
    what = "is not allowed here" if element.max == 0 else f"allows at most {element.max} values, found {count}"
    message = f"{expression} {what} ({element.path} {_cardinality(element)} in {element.tree.url})"
    return Issue("error", "structure", message, expression, rules.TOO_MANY)


def slice_count(slice_element: Element, count: int, expression: str) -> Issue | None:
    """An issue when `count` items matching the slice break its cardinality, else None."""
    name = slice_element.slice_name
    if count < slice_element.min:
        message = f"{expression}: slice '{name}' needs at least {slice_element.min} item(s), found {count}"
        return Issue("error", "required", message, expression, rules.SLICE_TOO_FEW)
    if count > slice_element.max:
        message = f"{expression}: slice '{name}' allows at most {slice_element.max} item(s), found {count}"
        return Issue("error", "structure", message, expression, rules.SLICE_TOO_MANY)
    return None


def slice_unmatched(element: Element, expression: str) -> Issue:
    names = ", ".join(str(s.slice_name) for s in element.slices)
    message = f"{expression} matches none of the slices of {element.path} ({names}), and the slicing is closed"
    return Issue("error", "structure", message, expression, rules.SLICE_UNMATCHED)


def slice_order(element: Element, expression: str) -> Issue:
    message = f"{expression} is out of the slice order of {element.path}"
    return Issue("error", "structure", message, expression, rules.SLICE_ORDER)


def slicing_not_evaluated(element: Element, problems: list[str], expression: str) -> Issue:
    message = f"{expression}: the slicing of {element.path} was not fully evaluated ({'; '.join(problems)})"
    return Issue("information", "informational", message, expression, rules.SLICE_NOT_EVALUATED)


def choice_type(element: Element, type_name: str, expression: str) -> Issue:
    allowed = ", ".join(t.code for t in element.types)
    message = f"{expression}: type {type_name} is not allowed for {element.path} (allowed: {allowed})"
    return Issue("error", "structure", message, expression, rules.CHOICE_TYPE)


def unknown_element(structure: Structure, expression: str) -> Issue:
    message = f"{expression} is not an element of {structure.path}"
    return Issue("error", "structure", message, expression, rules.UNKNOWN_ELEMENT)


def wrong_shape(expression: str, wanted: str) -> Issue:
    return Issue("error", "structure", f"{expression} must be {wanted}", expression, rules.WRONG_SHAPE)


def invariant_failed(constraint: Constraint, expression: str) -> Issue:
    severity: Severity = "error" if constraint.severity == "error" else "warning"
    return Issue(severity, "invariant", f"{constraint.key}: {constraint.human}", expression, rules.INVARIANT)


def invariant_not_evaluated(constraint: Constraint, problem: str, expression: str) -> Issue:
    message = f"{expression}: invariant {constraint.key} was not evaluated ({problem})"
    return Issue("information", "informational", message, expression, rules.INVARIANT_NOT_EVALUATED)


def unknown_extension(url: str, expression: str, *, modifier: bool) -> Issue:
    if modifier:
        message = (
            f"{expression}: modifier extension {url} is unknown to this server, so the resource cannot be "
            "processed safely"
        )
        return Issue("error", "extension", message, expression, rules.MODIFIER_EXTENSION_UNKNOWN)
    message = f"{expression}: extension {url} is unknown to this server; its content was not checked"
    return Issue("warning", "extension", message, expression, rules.UNKNOWN_EXTENSION)


def not_an_extension(url: str, expression: str) -> Issue:
    message = f"{expression}: {url} is a StructureDefinition but not an extension definition"
    return Issue("error", "structure", message, expression, rules.EXTENSION_NOT_AN_EXTENSION)


def not_validated(resource_type: str, expression: str) -> Issue:
    message = f"{expression}: no definition of {resource_type} is bundled with this server; it was not validated"
    return Issue("information", "informational", message, expression, rules.NOT_VALIDATED)


def unknown_profile(profile: str, expression: str) -> Issue:
    message = f"profile {profile} is not known to this server"
    return Issue("error", "not-found", message, expression, rules.UNKNOWN_PROFILE)


def profile_for_other_type(profile: str, profile_type: object, resource_type: str) -> Issue:
    message = f"profile {profile} constrains {profile_type}, not {resource_type}"
    return Issue("error", "structure", message, resource_type, rules.PROFILE_TYPE)


def _cardinality(element: Element) -> str:
    return f"{element.min}..{'*' if element.max == UNBOUNDED else element.max}"


def _show(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 160 else text[:157] + "..."

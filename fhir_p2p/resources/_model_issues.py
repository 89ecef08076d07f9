"""pydantic ValidationErrors of fhir.resources models as Issues: `loc` -> FHIRPath, error type -> IssueType.

Used by `parse.check_resource` and `xml.dict_to_xml`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from fhir_p2p.errors import Issue
from fhir_p2p.resources._schema import ELEMENT, RESOURCE, Field, Schema, resource_schema, schema_of

# Rule table (shared with parse.py, which owns the parse-NNN range).
UNKNOWN_ELEMENT: Final = "parse-008"
REQUIRED_ELEMENT: Final = "parse-009"
INVALID_VALUE: Final = "parse-010"
WRONG_STRUCTURE: Final = "parse-011"
CHOICE_CONFLICT: Final = "parse-013"

_REQUIRED_TYPES: Final = frozenset({"missing", "model_field_validation.missing"})
_STRUCTURE_TYPES: Final = frozenset(
    {
        "json_invalid",
        "model_validation_format",
        "model_type",
        "model_attributes_type",
        "dict_type",
        "list_type",
        "fhir-validation-wrong-resource-type",
        "is_instance_of",
        "union_tag_invalid",
    }
)
_CHOICE_MESSAGE: Final = re.compile(r"this list \[(?P<names>[^\]]*)\], but got multiple")
_CHOICE_REQUIRED_MESSAGE: Final = re.compile(r"Expect any of field value from this list \[(?P<names>[^\]]*)\]")
_DATE_HINTS: Final = {
    "date": "YYYY, YYYY-MM or YYYY-MM-DD, no time zone",
    "dateTime": "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff] with a time zone (Z or +hh:mm)",
    "instant": "YYYY-MM-DDThh:mm:ss[.fff] with a time zone (Z or +hh:mm)",
    "time": "hh:mm:ss[.fff], no time zone",
}


@dataclass(frozen=True, slots=True)
class Located:
    """Where a pydantic `loc` points in the resource: FHIRPath, and the field when it is a known one."""

    expression: str
    field: Field | None
    unknown_key: str | None = None


def issues_from_validation_error(error: ValidationError, resource: dict[str, Any], path: str) -> list[Issue]:
    """Turn every error of `error` into an Issue with a FHIRPath expression.

    Args:
        error: raised by `Model.model_validate(resource)`.
        resource: the dict that was validated (walked to resolve contained/Bundle resources).
        path: FHIRPath of `resource` itself (`ClaimResponse`, `Bundle.entry[0].resource`).
    Returns:
        One issue per pydantic error, in pydantic's order.
    """
    root = resource_schema(str(resource.get("resourceType")))
    return [_issue_for(detail, root, resource, path) for detail in error.errors(include_url=False)]


def locate(loc: Sequence[int | str], root: Schema | None, resource: Any, path: str) -> Located:
    """Resolve a pydantic `loc` against the element tables, walking `resource` alongside.

    `('item', 0, 'adjudication', 1, 'category')` -> `ClaimResponse.item[0].adjudication[1].category`;
    `given__ext` -> `_given`; `resource_type` -> `resourceType`; pydantic's own tags (union members,
    `root`) are dropped; a key no table knows is kept and reported as `unknown_key`.
    """
    expression = path
    schema = root
    node: Any = resource
    spec: Field | None = None
    for item in loc:
        if isinstance(item, int):
            expression += f"[{item}]"
            node = node[item] if isinstance(node, list) and -len(node) <= item < len(node) else None
            if spec is not None and spec.kind >= ELEMENT:
                schema = _schema_for(spec, node)
            continue
        if schema is None:
            continue  # inside a primitive: pydantic tags such as 'str' or 'function-after[...]'
        if item == "root":
            continue
        if item == "resource_type":
            return Located(expression + ".resourceType", None)
        name = item if item in schema.fields else schema.model_only.get(item) or item
        spec = schema.fields.get(name)
        if spec is None:
            return Located(f"{expression}.{item}", None, item)
        expression += "." + name
        node = node.get(name) if isinstance(node, dict) else None
        schema = None if spec.kind < ELEMENT or spec.is_list else _schema_for(spec, node)
    return Located(expression, spec)


def _schema_for(spec: Field, node: Any) -> Schema | None:
    if spec.kind == RESOURCE:
        resource_type = node.get("resourceType") if isinstance(node, dict) else None
        found = resource_schema(resource_type) if isinstance(resource_type, str) else None
        # fhir.resources validates a resource without a usable resourceType as the base Resource
        return found or schema_of(get_fhir_model_class("Resource"))
    return schema_of(spec.model) if spec.model is not None else None


def _issue_for(detail: ErrorDetails, root: Schema | None, resource: dict[str, Any], path: str) -> Issue:
    located = locate(detail["loc"], root, resource, path)
    here = located.expression
    kind = detail["type"]
    message = detail["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        key = located.unknown_key or here.rsplit(".", 1)[-1]
        return Issue("error", "structure", f"Unknown element '{key}'", here, UNKNOWN_ELEMENT)
    if kind in _REQUIRED_TYPES:
        return Issue("error", "required", f"{here} is required", here, REQUIRED_ELEMENT)
    choice_required = _CHOICE_REQUIRED_MESSAGE.search(message)
    if choice_required:
        names = choice_required.group("names").replace("'", "")
        return Issue("error", "required", f"{here}: one of {names} is required", here, REQUIRED_ELEMENT)
    choice = _CHOICE_MESSAGE.search(message)
    if choice:
        names = choice.group("names").replace("'", "")
        return Issue("error", "structure", f"{here}: only one of {names} may be present", here, CHOICE_CONFLICT)
    if kind in _STRUCTURE_TYPES or kind.endswith("_type"):
        return Issue("error", "structure", f"{here}: {message}", here, WRONG_STRUCTURE)
    spec = located.field
    found = detail.get("input")
    if spec is not None and isinstance(found, str) and spec.kind < ELEMENT:
        if spec.fhir_type in _DATE_HINTS:
            message = f"'{found}' is not a valid FHIR {spec.fhir_type} (expected {_DATE_HINTS[spec.fhir_type]})"
        elif kind == "string_pattern_mismatch":
            message = f"'{found[:80]}' is not a valid FHIR {spec.fhir_type} ({message[:1].lower()}{message[1:]})"
    return Issue("error", "value", f"{here}: {message}", here, INVALID_VALUE)


def after_validation_issues(resource: dict[str, Any], path: str) -> list[Issue]:
    """What fhir.resources' model-level checks would say, for objects where pydantic skipped them.

    pydantic runs a model's after-validators (required primitives such as `ClaimResponse.status`,
    choice elements `value[x]`) only when all its fields validated, so one bad field hides a
    missing `status`. This walks the dict and reports both kinds for every object.

    Args:
        resource: the dict that was validated.
        path: FHIRPath of `resource`.
    Returns:
        One issue per missing required primitive and per choice with more than one type.
    """
    issues: list[Issue] = []
    schema = resource_schema(str(resource.get("resourceType")))
    if schema is not None:
        _walk_after_checks(resource, schema, path, issues)
    return issues


def _walk_after_checks(obj: dict[str, Any], schema: Schema, path: str, issues: list[Issue]) -> None:
    for name in schema.required:
        if obj.get(name) is not None:
            continue
        partner = schema.fields[name].partner
        extension = obj.get(partner) if partner else None
        if not (isinstance(extension, dict) and extension.get("extension")):
            issues.append(Issue("error", "required", f"{path}.{name} is required", f"{path}.{name}", REQUIRED_ELEMENT))
    for choice in schema.choices:
        present = [name for name in choice.names if obj.get(name) is not None]
        if len(present) > 1:
            issues.append(
                Issue(
                    "error",
                    "structure",
                    f"{path}: only one of {', '.join(present)} may be present",
                    path,
                    CHOICE_CONFLICT,
                )
            )
        elif choice.required and not present:
            issues.append(
                Issue(
                    "error",
                    "required",
                    f"{path}.{choice.name}[x] is required (one of {', '.join(choice.names)})",
                    path,
                    REQUIRED_ELEMENT,
                )
            )
    for key, value in obj.items():
        spec = schema.fields.get(key)
        if spec is None or spec.kind < ELEMENT or spec.is_extension_slot:
            continue
        if spec.is_list and isinstance(value, list):
            for index, item in enumerate(value):
                _walk_after_item(spec, item, f"{path}.{key}[{index}]", issues)
        elif not spec.is_list:
            _walk_after_item(spec, value, f"{path}.{key}", issues)


def _walk_after_item(spec: Field, value: Any, here: str, issues: list[Issue]) -> None:
    if not isinstance(value, dict) or not value:
        return
    if spec.kind == RESOURCE:
        resource_type = value.get("resourceType")
        schema = resource_schema(resource_type) if isinstance(resource_type, str) else None
    else:
        schema = schema_of(spec.model) if spec.model is not None else None
    if schema is not None:
        _walk_after_checks(value, schema, here, issues)

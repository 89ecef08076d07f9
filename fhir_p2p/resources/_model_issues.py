"""pydantic ValidationErrors of fhir.resources models as Issues: `loc` -> FHIRPath, error type -> IssueType.

Also checks one primitive value with the pydantic validator of its fhir.resources type, worded as
the model would report it. Used by `json_rules` (values), `parse.check_resource` (the report of an
invalid resource) and `xml.dict_to_xml`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import TypeAdapter, ValidationError
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

# Verdicts of `value_problem`, (value_key, JSON type, value) -> problem; oldest out first past the bound.
# Only short values are kept: codes, system URLs, dates and ids repeat across requests, texts do not.
_VERDICTS: Final[OrderedDict[tuple[int, type, Any], Problem | None]] = OrderedDict()
_MAX_VERDICTS: Final = 8192
_MAX_KEPT_LENGTH: Final = 256


@dataclass(frozen=True, slots=True)
class Located:
    """Where a pydantic `loc` points in the resource: FHIRPath, and the field when it is a known one."""

    expression: str
    field: Field | None
    unknown_key: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """What pydantic found wrong with one value, before it is placed: IssueType, rule, message."""

    code: str
    rule: str
    message: str

    def at(self, here: str) -> Issue:
        return Issue("error", self.code, f"{here}: {self.message}", here, self.rule)


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
    return _problem(detail, located.field).at(here)


def _problem(detail: ErrorDetails, spec: Field | None) -> Problem:
    """A type error is `structure`; anything else wrong with a value is `value`, with the FHIR type named."""
    kind = detail["type"]
    message = detail["msg"].removeprefix("Value error, ")
    if kind in _STRUCTURE_TYPES or kind.endswith("_type"):
        return Problem("structure", WRONG_STRUCTURE, message)
    found = detail.get("input")
    if spec is None or spec.kind >= ELEMENT or type(found) not in (str, int, float):
        return Problem("value", INVALID_VALUE, message)
    reason = f"expected {_DATE_HINTS[spec.fhir_type]}" if spec.fhir_type in _DATE_HINTS else message
    shown = f"'{found[:80]}'" if isinstance(found, str) else repr(found)
    return Problem("value", INVALID_VALUE, f"{shown} is not a valid FHIR {spec.fhir_type} ({_lower_first(reason)})")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def value_problem(spec: Field, value: Any) -> Problem | None:
    """Validate one primitive value with the pydantic validator of its fhir.resources type.

    The value already has the JSON type `spec.kind` asks for. Verdicts on short values are memoised
    per process (bounded), so a repeated system URL or code costs a dict lookup.

    Args:
        spec: the primitive's field, carrying its `Annotated[...]` type.
        value: the JSON value (a single value or one array item).
    Returns:
        None when the model would accept the value; else the problem, worded as `issues_from_validation_error`.
    """
    if type(value) is str and len(value) > _MAX_KEPT_LENGTH:
        return _validate_value(spec, value)
    key = (spec.value_key, type(value), value)
    try:
        return _VERDICTS[key]
    except KeyError:
        pass
    verdict = _validate_value(spec, value)
    if len(_VERDICTS) >= _MAX_VERDICTS:
        _VERDICTS.popitem(last=False)  # one call, so safe while other threads add
    _VERDICTS[key] = verdict
    return verdict


def prepare_value_adapters(annotations: Iterable[Any]) -> None:
    """Build the pydantic validators of these primitive annotations now rather than on first use (~0.3 ms each)."""
    for annotation in annotations:
        _adapter(annotation)


def _validate_value(spec: Field, value: Any) -> Problem | None:
    try:
        _adapter(spec.annotation).validate_python(value)
    except ValidationError as error:
        return _problem(error.errors(include_url=False)[0], spec)
    return None


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    # Every fhir.resources model inherits this config; none of its keys changes how a primitive validates.
    return TypeAdapter(annotation, config=FHIRAbstractModel.model_config)

"""Base FHIR R4B structure of a JSON resource, in one walk of the element tables of fhir.resources.

The walk finds everything `Model.model_validate` of fhir.resources would reject, so a valid resource
never goes through pydantic: unknown keys, required elements, choice elements `name[x]`, and each
primitive value, checked with the pydantic validator of its fhir.resources type (`_model_issues`).
It also applies the FHIR JSON rules pydantic does not, because it coerces silently: `"active": "true"`,
`"multipleBirthInteger": 5.0`, `"gender": null`, `"name": []` all pass `Model.model_validate`; the
server stores the caller's JSON as sent, so they are refused here, as are codes outside the fixed
code lists of the base definitions.
"""

from __future__ import annotations

import re
from typing import Any, Final

from fhir_p2p.errors import Issue
from fhir_p2p.resources._model_issues import CHOICE_CONFLICT, REQUIRED_ELEMENT, UNKNOWN_ELEMENT, value_problem
from fhir_p2p.resources._schema import (
    BOOLEAN,
    DECIMAL,
    ELEMENT,
    INTEGER,
    RESOURCE,
    STRING,
    Field,
    Schema,
    resource_schema,
    schema_of,
)

# Rule table. Ids never change meaning and are never reused.
# last id used: json-016
BOOLEAN_TYPE: Final = "json-001"  # boolean is JSON true/false
INTEGER_TYPE: Final = "json-002"  # integer/positiveInt/unsignedInt is a JSON number without fraction
DECIMAL_TYPE: Final = "json-003"  # decimal is a JSON number
STRING_TYPE: Final = "json-004"  # every other primitive is a JSON string
NULL_VALUE: Final = "json-005"  # null only inside a primitive array, lined up with its `_name` entry
EMPTY_OBJECT: Final = "json-006"  # no {}
EMPTY_ARRAY: Final = "json-007"  # no []
EMPTY_STRING: Final = "json-008"  # no ""
EXTENSION_ARRAY_LENGTH: Final = "json-009"  # `_name` array as long as `name`
RESOURCE_TYPE_MISSING: Final = "json-010"  # a nested resource carries resourceType
RESOURCE_TYPE_UNKNOWN: Final = "json-011"  # ... naming a concrete FHIR R4B resource type
OBJECT_EXPECTED: Final = "json-012"  # a complex element is a JSON object
ARRAY_EXPECTED: Final = "json-013"  # a repeating element is a JSON array
CODE_NOT_IN_BINDING: Final = "json-015"  # a code outside the fixed list of a required binding (`outcome`)
CONTROL_CHARACTER: Final = "json-016"  # no character below U+0020 but tab, CR and LF in a string
MODEL_ONLY_KEY: Final = "json-014"  # keys fhir.resources accepts but FHIR JSON has not (`given__ext`, `for_fhir`)

# After these the checker did not look inside the value: a later validator may drop whatever it
# finds below the same expression (it is a consequence, not a second error).
OPAQUE_RULES: Final = frozenset(
    {
        BOOLEAN_TYPE,
        INTEGER_TYPE,
        DECIMAL_TYPE,
        STRING_TYPE,
        NULL_VALUE,
        EMPTY_OBJECT,
        EMPTY_ARRAY,
        EMPTY_STRING,
        RESOURCE_TYPE_MISSING,
        RESOURCE_TYPE_UNKNOWN,
        OBJECT_EXPECTED,
        ARRAY_EXPECTED,
    }
)


def check_json_rules(resource: dict[str, Any], path: str | None = None) -> list[Issue]:
    """Check a resource against base FHIR R4B: what fhir.resources validates plus the FHIR JSON rules.

    Besides the `json-NNN` rules, reports what pydantic would (`parse-008` unknown element, `parse-009`
    required, `parse-010` invalid value, `parse-013` two types of one choice), worded the same way.

    Args:
        resource: the parsed JSON object, with its `resourceType`.
        path: FHIRPath of the resource (`Bundle.entry[2].resource`); defaults to its resourceType.
    Returns:
        One error issue per broken rule, with the FHIRPath of the offending value; empty when clean.
    """
    issues: list[Issue] = []
    resource_type = resource.get("resourceType")
    schema = resource_schema(resource_type) if type(resource_type) is str else None
    if schema is None:
        _report_resource_type(resource, path, issues)
    else:
        _check_object(resource, schema, schema.type_name if path is None else path, issues)
    return issues


def _check_object(obj: dict[str, Any], schema: Schema, path: str, issues: list[Issue]) -> None:
    """Check every key of `obj` (a non-empty JSON object), then its required and choice elements."""
    fields = schema.fields
    for key, value in obj.items():
        spec = fields.get(key)
        if spec is None:
            _report_unknown_key(key, schema, path, issues)
            continue
        if spec.is_list:
            if type(value) is list and value:
                _check_list(obj, spec, value, f"{path}.{key}", issues)
            else:
                _report_bad_array(value, f"{path}.{key}", issues)
        elif spec.kind >= ELEMENT:
            _check_complex(spec, value, f"{path}.{key}", issues)
        else:
            _check_primitive(spec, value, path, key, issues)
    if schema.required:
        _check_required(obj, schema, path, issues)
    if schema.choices:
        _check_choices(obj, schema, path, issues)


def _check_required(obj: dict[str, Any], schema: Schema, path: str, issues: list[Issue]) -> None:
    """Each required element is present (a value refused above counts), a primitive also by `_name` extensions."""
    for name in schema.required:
        if name not in obj and not _has_extensions(obj, schema.fields[name].partner):
            here = f"{path}.{name}"
            issues.append(_issue("required", f"{here} is required", here, REQUIRED_ELEMENT))


def _has_extensions(obj: dict[str, Any], extension_slot: str | None) -> bool:
    """fhir_core accepts a missing required primitive when its `_name` object carries extensions."""
    found = obj.get(extension_slot) if extension_slot is not None else None
    return type(found) is dict and bool(found.get("extension"))


def _check_choices(obj: dict[str, Any], schema: Schema, path: str, issues: list[Issue]) -> None:
    """At most one type of each choice element `name[x]` (exactly one when required)."""
    chosen: dict[str, list[str]] = {}
    for key, value in obj.items():
        name = schema.choice_of.get(key)
        if name is not None and value is not None:
            chosen.setdefault(name, []).append(key)
    for choice in schema.choices:
        present = chosen.get(choice.name, ())
        if len(present) > 1:
            message = f"{path}: only one of {', '.join(present)} may be present"
            issues.append(_issue("structure", message, path, CHOICE_CONFLICT))
        elif choice.required and not present:
            message = f"{path}.{choice.name}[x] is required (one of {', '.join(choice.names)})"
            issues.append(_issue("required", message, path, REQUIRED_ELEMENT))


def _check_list(obj: dict[str, Any], spec: Field, items: list[Any], here: str, issues: list[Issue]) -> None:
    partner = obj.get(spec.partner) if spec.partner is not None else None
    if spec.kind >= ELEMENT and not spec.is_extension_slot:
        for index, item in enumerate(items):
            _check_complex(spec, item, f"{here}[{index}]", issues)
        return
    if spec.is_extension_slot and type(partner) is list and partner and len(partner) != len(items):
        issues.append(
            _issue(
                "structure",
                f"{here} has {len(items)} entries but {spec.partner} has {len(partner)}: "
                "the two arrays must line up one to one",
                here,
                EXTENSION_ARRAY_LENGTH,
            )
        )
    for index, item in enumerate(items):
        if item is None:
            if not (type(partner) is list and index < len(partner) and partner[index] is not None):
                _report_unmatched_null(spec, f"{here}[{index}]", issues)
        elif spec.is_extension_slot:
            _check_complex(spec, item, f"{here}[{index}]", issues)
        else:
            _check_primitive(spec, item, here, index, issues)


def _check_complex(spec: Field, value: Any, here: str, issues: list[Issue]) -> None:
    if type(value) is not dict or not value:
        _report_bad_object(value, here, issues)
        return
    if spec.kind == RESOURCE:
        resource_type = value.get("resourceType")
        schema = resource_schema(resource_type) if type(resource_type) is str else None
        if schema is None:
            _report_resource_type(value, here, issues)
            return
    else:
        assert spec.model is not None
        schema = schema_of(spec.model)
    _check_object(value, schema, here, issues)


def _check_primitive(spec: Field, value: Any, parent: str, key: str | int, issues: list[Issue]) -> None:
    """Check one primitive value, found at `parent.key` (single) or `parent[key]` (array item).

    First its JSON type (and fixed code list), then the value itself as fhir.resources validates it.
    """
    kind = spec.kind
    value_type = type(value)
    if kind == STRING:
        if value_type is not str:
            _report_wrong_type(value, _join(parent, key), f"a JSON string (FHIR {spec.fhir_type})", STRING_TYPE, issues)
            return
        if not value or (spec.codes is not None and value not in spec.codes):
            _report_bad_string(spec, value, _join(parent, key), issues)
            return
        if _CONTROL.search(value):
            here = _join(parent, key)
            message = f"{here} holds a control character (FHIR strings allow none below U+0020 but tab, CR, LF)"
            issues.append(_issue("value", message, here, CONTROL_CHARACTER))
            return
    elif kind == BOOLEAN:
        if value_type is not bool:
            _report_wrong_type(value, _join(parent, key), "a JSON boolean (true/false)", BOOLEAN_TYPE, issues)
        return
    elif kind == INTEGER:
        if value_type is not int:
            _report_not_integer(spec, value, _join(parent, key), issues)
            return
    elif kind == DECIMAL and value_type is not int and value_type is not float:
        _report_wrong_type(value, _join(parent, key), "a JSON number (FHIR decimal)", DECIMAL_TYPE, issues)
        return
    problem = value_problem(spec, value)
    if problem is not None:
        issues.append(problem.at(_join(parent, key)))


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _join(parent: str, key: str | int) -> str:
    return f"{parent}[{key}]" if type(key) is int else f"{parent}.{key}"


def _report_bad_string(spec: Field, value: str, here: str, issues: list[Issue]) -> None:
    if value:
        allowed = ", ".join(sorted(spec.codes or ()))
        message = f"{here} '{value[:80]}' is not one of the codes FHIR defines for it: {allowed}"
        issues.append(_issue("code-invalid", message, here, CODE_NOT_IN_BINDING))
    else:
        issues.append(_issue("value", f"{here} must not be an empty string", here, EMPTY_STRING))


def _report_not_integer(spec: Field, value: Any, here: str, issues: list[Issue]) -> None:
    expected = f"a JSON number without a fraction (FHIR {spec.fhir_type})"
    if type(value) is float:
        issues.append(_issue("value", f"{here} must be {expected}, not {value!r}", here, INTEGER_TYPE))
    else:
        _report_wrong_type(value, here, expected, INTEGER_TYPE, issues)


def _report_wrong_type(value: Any, here: str, expected: str, rule: str, issues: list[Issue]) -> None:
    if value is None:
        issues.append(_null_issue(here))
    else:
        issues.append(_issue("structure", f"{here} must be {expected}, not {json_kind(value)}", here, rule))


def _report_bad_array(value: Any, here: str, issues: list[Issue]) -> None:
    if value is None:
        issues.append(_null_issue(here))
    elif type(value) is list:
        issues.append(_issue("structure", f"{here} must not be an empty array", here, EMPTY_ARRAY))
    else:
        issues.append(_issue("structure", f"{here} must be a JSON array, not {json_kind(value)}", here, ARRAY_EXPECTED))


def _report_bad_object(value: Any, here: str, issues: list[Issue]) -> None:
    if value is None:
        issues.append(_null_issue(here))
    elif type(value) is dict:
        issues.append(_issue("structure", f"{here} must not be an empty object", here, EMPTY_OBJECT))
    else:
        issues.append(
            _issue("structure", f"{here} must be a JSON object, not {json_kind(value)}", here, OBJECT_EXPECTED)
        )


def _report_resource_type(resource: dict[str, Any], here: str | None, issues: list[Issue]) -> None:
    subject = here or "The resource"
    resource_type = resource.get("resourceType")
    if resource_type is None:
        issues.append(_issue("structure", f"{subject} has no resourceType", here, RESOURCE_TYPE_MISSING))
    elif type(resource_type) is not str:
        issues.append(
            _issue(
                "structure",
                f"{subject} has a resourceType that is {json_kind(resource_type)}, not a JSON string",
                here,
                RESOURCE_TYPE_UNKNOWN,
            )
        )
    else:
        issues.append(
            _issue(
                "structure",
                f"{subject} has resourceType '{resource_type}', which is not a FHIR R4B resource type",
                here,
                RESOURCE_TYPE_UNKNOWN,
            )
        )


def _report_unknown_key(key: str, schema: Schema, path: str, issues: list[Issue]) -> None:
    """A key the element does not have; `resourceType` belongs to every resource (checked where it is read)."""
    if key in schema.model_only:
        spelling = schema.model_only[key]
        hint = f" (FHIR JSON spells it '{spelling}')" if spelling else ""
        issues.append(_issue("structure", f"Unknown element '{key}'{hint}", f"{path}.{key}", MODEL_ONLY_KEY))
    elif key != "resourceType" or not schema.is_resource:
        issues.append(_issue("structure", f"Unknown element '{key}'", f"{path}.{key}", UNKNOWN_ELEMENT))


def _report_unmatched_null(spec: Field, here: str, issues: list[Issue]) -> None:
    partner = spec.partner or ("_" + spec.name)
    issues.append(
        _issue(
            "structure",
            f"{here} is null without a matching '{partner}' entry: null is only allowed in a primitive "
            "array, to line values up with their extensions",
            here,
            NULL_VALUE,
        )
    )


def _null_issue(here: str) -> Issue:
    return _issue("structure", f"{here} must not be null: leave the element out instead", here, NULL_VALUE)


def json_kind(value: Any) -> str:
    """How a JSON value reads in a message: 'a string', 'an array', 'null'..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _issue(code: str, message: str, expression: str | None, rule: str) -> Issue:
    return Issue("error", code, message, expression, rule)


def model_ready(resource: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of `resource` without what the JSON rules refuse, for `Model.model_validate`.

    pydantic stops at a null in an element array (a model-level check) and some fhir.resources
    validators raise on a wrongly typed value instead of reporting it, hiding every other error.
    Refused single values are left out, refused array items become `null` (primitive arrays) or `{}`
    (element arrays) so indexes stay put; a nested resource without a usable resourceType becomes
    `{}`. What pydantic then reports at or below those places is a consequence, not a new error.
    Only needed when `check_json_rules` found something; the caller's dict is not modified.
    """
    resource_type = resource.get("resourceType")
    schema = resource_schema(resource_type) if type(resource_type) is str else None
    if schema is None:
        return {}
    return _ready_object(resource, schema)


def _ready_object(obj: dict[str, Any], schema: Schema) -> dict[str, Any]:
    ready: dict[str, Any] = {}
    for key, value in obj.items():
        spec = schema.fields.get(key)
        if spec is None:
            ready[key] = value
        elif spec.is_list:
            if type(value) is list and value:
                ready[key] = [_ready_item(spec, item) for item in value]
        elif spec.kind >= ELEMENT:
            complex_value = _ready_complex(spec, value)
            if complex_value is not None:
                ready[key] = complex_value
        elif _is_valid_primitive(spec, value):
            ready[key] = value
    return ready


def _ready_item(spec: Field, item: Any) -> Any:
    if spec.kind < ELEMENT:
        return item if _is_valid_primitive(spec, item) else None
    if item is None and spec.is_extension_slot:
        return None
    ready = _ready_complex(spec, item)
    return {} if ready is None else ready


def _ready_complex(spec: Field, value: Any) -> dict[str, Any] | None:
    if type(value) is not dict or not value:
        return None
    if spec.kind == RESOURCE:
        resource_type = value.get("resourceType")
        schema = resource_schema(resource_type) if type(resource_type) is str else None
        return None if schema is None else _ready_object(value, schema)
    assert spec.model is not None
    return _ready_object(value, schema_of(spec.model))


def _is_valid_primitive(spec: Field, value: Any) -> bool:
    kind = spec.kind
    value_type = type(value)
    if kind == STRING:
        return value_type is str and value != ""
    if kind == BOOLEAN:
        return value_type is bool
    if kind == INTEGER:
        return value_type is int
    return value_type is int or value_type is float

"""Request bodies to FHIR resources: bytes -> dict (JSON or XML), then base FHIR R4B structure checks.

The caller's dict is what gets stored and returned (SPEC §8: never re-serialize a model on the hot
path). The structure walk of `json_rules` decides whether it is valid; the fhir.resources model runs
only for an invalid resource, to complete its report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, Literal

import orjson
from pydantic import ValidationError

from fhir_p2p.errors import BadRequest, Issue, raise_on_errors
from fhir_p2p.resources import _model_issues
from fhir_p2p.resources._schema import ModelClass, compile_all, is_resource_type, resource_model, value_types
from fhir_p2p.resources.json_rules import NULL_VALUE, OPAQUE_RULES, check_json_rules, json_kind, model_ready
from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.resources.xml import xml_to_dict

Media = Literal["json", "xml"]

# Rule table. Ids never change meaning and are never reused.
# last id used: parse-013
NOT_JSON: Final = "parse-001"  # body is not JSON
NOT_AN_OBJECT: Final = "parse-002"  # top level is not a JSON object
TOO_DEEP: Final = "parse-003"  # nesting deeper than max_depth
RESOURCE_TYPE_MISSING: Final = "parse-004"
RESOURCE_TYPE_NOT_STRING: Final = "parse-005"
RESOURCE_TYPE_UNKNOWN_TO_FHIR: Final = "parse-006"
RESOURCE_TYPE_NOT_EXPECTED: Final = "parse-007"
UNKNOWN_ELEMENT: Final = _model_issues.UNKNOWN_ELEMENT  # parse-008 (pydantic extra_forbidden)
REQUIRED_ELEMENT: Final = _model_issues.REQUIRED_ELEMENT  # parse-009 (pydantic missing)
INVALID_VALUE: Final = _model_issues.INVALID_VALUE  # parse-010 (pattern, range, date, ...)
WRONG_STRUCTURE: Final = _model_issues.WRONG_STRUCTURE  # parse-011 (pydantic type errors)
MODEL_FAILED: Final = "parse-012"  # fhir.resources raised something other than a ValidationError
CHOICE_CONFLICT: Final = _model_issues.CHOICE_CONFLICT  # parse-013 (two types of one choice[x])

_MODEL_RULES: Final = frozenset({UNKNOWN_ELEMENT, REQUIRED_ELEMENT, INVALID_VALUE, WRONG_STRUCTURE, CHOICE_CONFLICT})

DEFAULT_MAX_DEPTH: Final = 64
# Wrappers the API reads besides the stored types (transactions, operations).
WARM_TYPES: Final = (*STORED_TYPES, "Bundle", "Parameters")


def parse_body(body: bytes, media: Media, *, max_depth: int = DEFAULT_MAX_DEPTH) -> dict[str, Any]:
    """Parse a request body into the caller's JSON object, without FHIR validation.

    Args:
        body: the raw request body.
        media: `json` (application/fhir+json, application/json) or `xml` (application/fhir+xml, ...).
        max_depth: deepest nesting of objects and arrays accepted (the top object is depth 1).
    Returns:
        The parsed JSON object (for XML: the equivalent FHIR JSON, see `xml.xml_to_dict`).
    Raises:
        BadRequest: not JSON / not well-formed or unsafe XML, top level not an object, too deep.
    """
    resource = xml_to_dict(body, max_depth=max_depth) if media == "xml" else _load_json(body)
    _check_depth(resource, max_depth)
    return resource


def check_resource(resource: dict[str, Any], expected_type: str | None = None, path: str | None = None) -> list[Issue]:
    """Check a parsed resource against base FHIR R4B: resourceType, then the structure walk.

    The walk (`check_json_rules`) finds everything the fhir.resources model would reject, so a valid
    resource costs one walk. Only when it found something does the model validate the resource too,
    and whatever pydantic reports that the walk did not is added: the report lists every problem once.

    Args:
        resource: the caller's JSON object; never modified.
        expected_type: the resourceType the endpoint takes (`ClaimResponse`), or None for any.
        path: FHIRPath of the resource when it sits inside another (`Bundle.entry[2].resource`).
    Returns:
        Every problem found (each pydantic error once, not only the first); empty when valid.
    """
    resource_type = resource.get("resourceType")
    type_issue = _check_resource_type(resource_type, expected_type, path)
    if type_issue is not None:
        return [type_issue]
    assert isinstance(resource_type, str)
    here = path or resource_type
    issues = check_json_rules(resource, here)
    if issues:
        model = resource_model(resource_type)
        assert model is not None
        _add_model_issues(model, resource, here, issues)
    return issues


def _add_model_issues(model: ModelClass, resource: dict[str, Any], here: str, issues: list[Issue]) -> None:
    """Validate with the fhir.resources model and add each error the walk has not reported already."""
    validated = model_ready(resource)
    try:
        model.model_validate(validated)
    except ValidationError as error:
        for issue in _model_issues.issues_from_validation_error(error, validated, here):
            if not _already_reported(issue, issues):
                issues.append(issue)
    except (KeyError, TypeError, AttributeError) as error:  # fhir.resources validators that crash
        issues.append(
            Issue(
                "error",
                "structure",
                f"{here} could not be validated ({type(error).__name__}: {error})",
                here,
                MODEL_FAILED,
            )
        )


def parse_resource(
    body: bytes, media: Media, expected_type: str | None, *, max_depth: int = DEFAULT_MAX_DEPTH
) -> dict[str, Any]:
    """Parse and check a request body; return the caller's dict untouched.

    Args:
        body: the raw request body.
        media: `json` or `xml`.
        expected_type: the resourceType the endpoint takes, or None for any resource type.
        max_depth: deepest nesting accepted (see `parse_body`).
    Returns:
        The parsed resource, exactly as sent (never re-serialized from the model).
    Raises:
        BadRequest: carrying every issue found when the body is not a valid FHIR resource.
    """
    resource = parse_body(body, media, max_depth=max_depth)
    raise_on_errors(check_resource(resource, expected_type), BadRequest)
    return resource


def warm_up(resource_types: Iterable[str] = WARM_TYPES) -> int:
    """Import and compile everything the first request of each type would, so it is not slow.

    Compiles the element tables of each type and of every element type it can contain (which
    imports their fhir.resources modules), builds the pydantic validator of each primitive type and
    runs one validation per type. About 0.5 s.

    Args:
        resource_types: the resource types to prepare.
    Returns:
        How many model classes were compiled.
    """
    compiled = 0
    for resource_type in resource_types:
        model = resource_model(resource_type)
        if model is None:
            raise ValueError(f"{resource_type!r} is not a FHIR R4B resource type")
        compiled += compile_all(model)
        check_resource({"resourceType": resource_type, "id": "warm-up"})
    _model_issues.prepare_value_adapters(value_types())
    return compiled


def _load_json(body: bytes) -> dict[str, Any]:
    if not body.strip():
        raise _bad_request("The request body is empty; expected a FHIR resource as a JSON object", NOT_JSON)
    try:
        loaded = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        if "depth limit" in error.msg or "recursion" in error.msg:
            raise _bad_request("The JSON body is nested too deeply", TOO_DEEP) from None
        raise _bad_request(
            f"The request body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            NOT_JSON,
        ) from None
    if not isinstance(loaded, dict):
        raise _bad_request(f"The JSON body must be an object (a FHIR resource), not {json_kind(loaded)}", NOT_AN_OBJECT)
    return loaded


def _check_depth(resource: dict[str, Any], max_depth: int) -> None:
    """Refuse nesting deeper than `max_depth`; iterative, visits containers only."""
    stack: list[tuple[Any, int]] = [(resource, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > max_depth:
            raise _bad_request(f"The resource is nested deeper than {max_depth} levels", TOO_DEEP)
        children = container.values() if type(container) is dict else container
        for child in children:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))


def _check_resource_type(resource_type: Any, expected_type: str | None, path: str | None) -> Issue | None:
    expression = f"{path}.resourceType" if path else "resourceType"
    if resource_type is None:
        return Issue("error", "required", "The resource has no resourceType", expression, RESOURCE_TYPE_MISSING)
    if not isinstance(resource_type, str):
        return Issue(
            "error",
            "structure",
            f"resourceType must be a JSON string, not {json_kind(resource_type)}",
            expression,
            RESOURCE_TYPE_NOT_STRING,
        )
    if not is_resource_type(resource_type):
        return Issue(
            "error",
            "structure",
            f"'{resource_type}' is not a FHIR R4B resource type",
            expression,
            RESOURCE_TYPE_UNKNOWN_TO_FHIR,
        )
    if expected_type is not None and resource_type != expected_type:
        return Issue(
            "error",
            "structure",
            f"Expected a {expected_type} resource but got resourceType '{resource_type}'",
            expression,
            RESOURCE_TYPE_NOT_EXPECTED,
        )
    return None


def _already_reported(issue: Issue, walk_issues: list[Issue]) -> bool:
    """True when an issue the walk found already covers what the model found at `issue.expression`.

    Same place: a JSON-rule issue there covers any model error; a model-rule issue only the same rule.
    """
    here = issue.expression or ""
    for found in walk_issues:
        there = found.expression
        if there is None:
            continue
        if there == here and (found.rule == issue.rule or found.rule not in _MODEL_RULES):
            return True
        # below a value the JSON rules did not look into: a consequence, not a second error
        if found.rule in OPAQUE_RULES and here.startswith(there) and here[len(there)] in ".[":
            return True
        # pydantic reports a null item of an element array on the array itself
        if found.rule == NULL_VALUE and issue.rule == WRONG_STRUCTURE and there.startswith(here + "["):
            return True
    return False


def _bad_request(message: str, rule: str) -> BadRequest:
    return BadRequest(message, issues=[Issue("error", "structure", message, None, rule)])

"""Cardinality (top level, nested, per slice), fixed and pattern values, choice types, unknown elements, shapes."""

from __future__ import annotations

from typing import Any

from fhir_p2p.errors import Issue
from fhir_p2p.validation import rules
from tests.validation.support import DENIAL, P2P_DENIAL, P2P_REQUEST, TASK, load, validator


def findings(resource: dict[str, Any], profile: str | None) -> list[Issue]:
    """Errors and warnings, without the information about X12 codes that cannot be checked."""
    return [i for i in validator().validate(resource, profile) if i.severity != "information"]


def only(resource: dict[str, Any], profile: str | None) -> Issue:
    found = findings(resource, profile)
    assert len(found) == 1, found
    return found[0]


def test_valid_denial_and_task_have_no_findings() -> None:
    assert findings(load(DENIAL), P2P_DENIAL) == []
    assert findings(load(TASK), P2P_REQUEST) == []


def test_missing_element_required_by_the_profile() -> None:
    denial = load(DENIAL)
    del denial["request"]
    issue = only(denial, P2P_DENIAL)
    assert issue == Issue(
        "error",
        "required",
        "ClaimResponse.request is required (ClaimResponse.request 1..1 in "
        "http://fhir-p2p.org/fhir/StructureDefinition/p2p-denial)",
        "ClaimResponse.request",
        rules.TOO_FEW,
    )


def test_missing_element_is_fine_for_the_base_type() -> None:
    denial = load(DENIAL)
    del denial["request"]
    assert findings(denial, None) == []


def test_missing_nested_element() -> None:
    denial = load(DENIAL)
    del denial["item"][0]["adjudication"][0]["category"]
    issue = only(denial, P2P_DENIAL)
    assert issue.rule == rules.TOO_FEW
    assert issue.expression == "ClaimResponse.item[0].adjudication[0].category"
    assert issue.message.startswith("ClaimResponse.item[0].adjudication[0].category is required (")


def test_missing_element_of_a_content_reference() -> None:
    denial = load(DENIAL)
    denial["item"][0]["detail"] = [{"detailSequence": 1, "adjudication": [{"amount": {"value": 1, "currency": "USD"}}]}]
    issue = only(denial, P2P_DENIAL)
    assert (issue.rule, issue.expression) == (rules.TOO_FEW, "ClaimResponse.item[0].detail[0].adjudication[0].category")


def test_too_few_items() -> None:
    task = load(TASK)
    task["input"] = task["input"][:1]
    found = findings(task, P2P_REQUEST)
    assert sorted((i.rule, i.expression) for i in found) == [
        (rules.TOO_FEW, "Task.input"),
        (rules.SLICE_TOO_FEW, "Task.input"),
    ]
    too_few = next(i for i in found if i.rule == rules.TOO_FEW)
    assert too_few.message.startswith("Task.input needs at least 2 values, found 1 (Task.input 2..* in ")


def test_too_many_values() -> None:
    task = load(TASK)
    task["partOf"] = [{"reference": "Task/a"}, {"reference": "Task/b"}]
    task["code"]["coding"][0]["code"] = "internal-appeal"
    found = [i for i in validator().validate(task, "http://fhir-p2p.org/fhir/StructureDefinition/p2p-appeal")]
    issue = next(i for i in found if i.rule == rules.TOO_MANY)
    assert issue.expression == "Task.partOf"
    assert issue.message.startswith("Task.partOf allows at most 1 values, found 2 (Task.partOf 0..1 in ")


def test_element_not_allowed_by_max_zero() -> None:
    denial = load(DENIAL)
    denial["addItem"] = [
        {
            "productOrService": {"text": "MRI"},
            "quantity": {"value": 1, "comparator": "<"},
            "adjudication": [{"category": {"text": "submitted"}}],
        }
    ]
    found = findings(denial, P2P_DENIAL)
    assert (rules.TOO_MANY, "ClaimResponse.addItem[0].quantity.comparator") in [(i.rule, i.expression) for i in found]
    assert (rules.INVARIANT, "ClaimResponse.addItem[0].quantity") in [(i.rule, i.expression) for i in found]


def test_fixed_value() -> None:
    denial = load(DENIAL)
    denial["use"] = "claim"
    assert only(denial, P2P_DENIAL) == Issue(
        "error",
        "value",
        'ClaimResponse.use must be exactly "preauthorization" (fixed by '
        "http://fhir-p2p.org/fhir/StructureDefinition/p2p-denial)",
        "ClaimResponse.use",
        rules.FIXED_VALUE,
    )


def test_pattern_value() -> None:
    task = load(TASK)
    task["code"] = {
        "coding": [{"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-task-code", "code": "internal-appeal"}]
    }
    issue = only(task, P2P_REQUEST)
    assert (issue.rule, issue.expression, issue.severity) == (rules.PATTERN_VALUE, "Task.code", "error")
    assert issue.message.startswith('Task.code must contain {"coding":[{"code":"peer-to-peer-review"')


def test_pattern_allows_more_than_the_pattern() -> None:
    task = load(TASK)
    task["code"]["coding"][0]["display"] = "Peer-to-peer review"
    task["code"]["text"] = "P2P"
    assert findings(task, P2P_REQUEST) == []


def test_choice_type_not_allowed_in_slice() -> None:
    task = load(TASK)
    task["input"][1] = {"type": task["input"][1]["type"], "valueString": "555-0143"}
    issue = only(task, P2P_REQUEST)
    assert issue == Issue(
        "error",
        "structure",
        "Task.input[1].valueString: type string is not allowed for Task.input.value[x] (allowed: ContactPoint)",
        "Task.input[1].valueString",
        rules.CHOICE_TYPE,
    )


def test_choice_type_not_allowed_in_extension() -> None:
    denial = load(DENIAL)
    denial["extension"].append(
        {"url": "http://fhir-p2p.org/fhir/StructureDefinition/p2p-request-deadline", "valueDate": "2026-12-01"}
    )
    issue = only(denial, P2P_DENIAL)
    assert (issue.rule, issue.expression) == (rules.CHOICE_TYPE, "ClaimResponse.extension[1].valueDate")
    assert "allowed: dateTime" in issue.message


def test_unknown_element() -> None:
    denial = load(DENIAL)
    denial["item"][0]["reason"] = "x"
    assert only(denial, None) == Issue(
        "error",
        "structure",
        "ClaimResponse.item[0].reason is not an element of ClaimResponse.item",
        "ClaimResponse.item[0].reason",
        rules.UNKNOWN_ELEMENT,
    )


def test_array_where_a_single_value_belongs() -> None:
    task = load(TASK)
    task["reasonCode"] = [task["reasonCode"]]
    assert only(task, None) == Issue(
        "error",
        "structure",
        "Task.reasonCode must be a single value, not an array",
        "Task.reasonCode",
        rules.WRONG_SHAPE,
    )


def test_primitive_extension_is_walked() -> None:
    task = load(TASK)
    task["_status"] = {"extension": [{"url": "http://example.org/x", "valueString": "y"}]}
    issue = only(task, P2P_REQUEST)
    assert (issue.rule, issue.expression, issue.severity) == (
        rules.UNKNOWN_EXTENSION,
        "Task._status.extension[0]",
        "warning",
    )


def test_unknown_profile_and_profile_of_another_type() -> None:
    denial = load(DENIAL)
    assert validator().validate(denial, "http://example.org/nope") == [
        Issue(
            "error",
            "not-found",
            "profile http://example.org/nope is not known to this server",
            "ClaimResponse",
            rules.UNKNOWN_PROFILE,
        )
    ]
    [issue] = validator().validate(denial, P2P_REQUEST)
    assert issue.rule == rules.PROFILE_TYPE
    assert issue.message == f"profile {P2P_REQUEST} constrains Task, not ClaimResponse"


def test_resource_type_without_bundled_definition() -> None:
    [issue] = validator().validate({"resourceType": "ServiceRequest"})
    assert (issue.severity, issue.rule, issue.expression) == ("information", rules.NOT_VALIDATED, "ServiceRequest")


def test_bundle_entries_are_validated_against_their_base_type() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "gender": "woman"}}],
    }
    issue = only(bundle, None)
    assert (issue.rule, issue.expression) == (rules.CODE_NOT_IN_REQUIRED, "Bundle.entry[0].resource.gender")


def test_the_resource_is_not_modified() -> None:
    denial = load(DENIAL)
    before = load(DENIAL)
    validator().validate(denial, P2P_DENIAL)
    assert denial == before

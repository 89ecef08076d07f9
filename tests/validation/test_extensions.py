"""Extensions: found by url, checked against their definition, used only in their context; unknown ones warn."""

from __future__ import annotations

from typing import Any

from fhir_p2p.errors import Issue
from fhir_p2p.validation import rules
from tests.validation.support import DENIAL, P2P_DENIAL, TASK, load, validator

OURS = "http://fhir-p2p.org/fhir/StructureDefinition/"
CONTACT = {"url": OURS + "p2p-contact", "valueContactPoint": {"system": "phone", "value": "+1-312-555-0188"}}


def found(resource: dict[str, Any], profile: str | None = None) -> list[tuple[str, str | None, str | None]]:
    return [
        (i.severity, i.rule, i.expression)
        for i in validator().validate(resource, profile)
        if i.severity != "information"
    ]


def test_known_extension_content_is_checked_without_a_profile() -> None:
    denial = load(DENIAL)
    denial["extension"].append({"url": OURS + "p2p-contact", "valueString": "555"})
    assert found(denial) == [("error", rules.CHOICE_TYPE, "ClaimResponse.extension[1].valueString")]


def test_extension_value_is_required_by_its_definition() -> None:
    denial = load(DENIAL)
    denial["extension"].append({"url": OURS + "p2p-request-deadline"})
    assert ("error", rules.TOO_FEW, "ClaimResponse.extension[1].value") in found(denial, P2P_DENIAL)


def test_sub_extension_binding() -> None:
    denial = load(DENIAL)
    reason = denial["item"][0]["adjudication"][0]["extension"][0]["extension"][1]
    reason["valueCodeableConcept"] = {"text": "not necessary"}
    assert found(denial, P2P_DENIAL) == [
        (
            "error",
            rules.NO_CODING,
            "ClaimResponse.item[0].adjudication[0].extension[0].extension[1].valueCodeableConcept",
        )
    ]


def test_extension_with_value_and_sub_extensions_breaks_ext_1() -> None:
    denial = load(DENIAL)
    denial["extension"][0]["valueBoolean"] = True
    issues = [i for i in validator().validate(denial) if i.rule == rules.INVARIANT]
    assert issues == [
        Issue(
            "error",
            "invariant",
            "ext-1: Must have either extensions or value[x], not both",
            "ClaimResponse.extension[0]",
            rules.INVARIANT,
        )
    ]


def test_context_is_checked() -> None:
    denial = load(DENIAL)
    denial["item"][0]["extension"].append(CONTACT)
    [issue] = validator().validate(denial, P2P_DENIAL)[:1]
    assert issue == Issue(
        "error",
        "structure",
        "extension http://fhir-p2p.org/fhir/StructureDefinition/p2p-contact is not allowed on ClaimResponse.item "
        "(it may be used on: ClaimResponse)",
        "ClaimResponse.item[0].extension[1]",
        rules.EXTENSION_CONTEXT,
    )


def test_context_of_an_extension_on_an_extension() -> None:
    """reviewActionCode may sit on ClaimResponse.item.adjudication.extension (inside reviewAction), not on item."""
    denial = load(DENIAL)
    code = denial["item"][0]["adjudication"][0]["extension"][0]["extension"][0]
    denial["item"][0]["extension"].append(code)
    assert ("error", rules.EXTENSION_CONTEXT, "ClaimResponse.item[0].extension[1]") in found(denial)


def test_context_of_an_extension_on_a_data_type() -> None:
    task = load(TASK)
    task["extension"] = [CONTACT]
    assert found(task) == [("error", rules.EXTENSION_CONTEXT, "Task.extension[0]")]


def test_unknown_extension_is_a_warning() -> None:
    task = load(TASK)
    task["input"][0]["extension"] = [{"url": "http://example.org/x", "valueString": "y"}]
    [issue] = validator().validate(task)
    assert issue == Issue(
        "warning",
        "extension",
        "Task.input[0].extension[0]: extension http://example.org/x is unknown to this server; "
        "its content was not checked",
        "Task.input[0].extension[0]",
        rules.UNKNOWN_EXTENSION,
    )


def test_parts_of_an_unknown_extension_are_not_reported_again() -> None:
    task = load(TASK)
    task["extension"] = [{"url": "http://example.org/x", "extension": [{"url": "part", "valueString": "y"}]}]
    assert found(task) == [("warning", rules.UNKNOWN_EXTENSION, "Task.extension[0]")]


def test_unknown_modifier_extension_is_an_error() -> None:
    task = load(TASK)
    task["modifierExtension"] = [{"url": "http://example.org/x", "valueString": "y"}]
    assert found(task) == [("error", rules.MODIFIER_EXTENSION_UNKNOWN, "Task.modifierExtension[0]")]


def test_url_of_a_profile_is_not_an_extension() -> None:
    task = load(TASK)
    task["extension"] = [{"url": OURS + "p2p-request", "valueString": "y"}]
    assert found(task) == [("error", rules.EXTENSION_NOT_AN_EXTENSION, "Task.extension[0]")]


def test_unknown_sub_extension_of_a_known_extension_warns() -> None:
    denial = load(DENIAL)
    denial["extension"][0]["extension"].append({"url": "reviewerMood", "valueString": "fine"})
    assert found(denial, P2P_DENIAL) == [
        ("warning", rules.UNKNOWN_EXTENSION, "ClaimResponse.extension[0].extension[3]")
    ]

"""Bindings: required -> error, extensible -> warning, uncheckable -> information; value set expansion."""

from __future__ import annotations

from typing import Any

from fhir_p2p.errors import Issue
from fhir_p2p.validation import rules
from fhir_p2p.validation.valuesets import Terminology, Verdict
from tests.validation.support import DENIAL, P2P_DENIAL, P2P_REQUEST, PATIENT, TASK, load, validator
from tests.validation.synthetic import base_registry, validator_with

EXAMPLE_CS = "http://example.org/fhir/CodeSystem/colours"
EXAMPLE_VS = "http://example.org/fhir/ValueSet/"


def test_required_binding_on_a_code() -> None:
    denial = load(DENIAL)
    denial["outcome"] = "error"
    [issue] = [i for i in validator().validate(denial, P2P_DENIAL) if i.severity != "information"]
    assert issue == Issue(
        "error",
        "code-invalid",
        "ClaimResponse.outcome: code 'error' is not in value set P2P denial outcomes "
        "(http://fhir-p2p.org/fhir/ValueSet/p2p-denial-outcome), which the element requires",
        "ClaimResponse.outcome",
        rules.CODE_NOT_IN_REQUIRED,
    )


def test_required_binding_of_the_base_definition() -> None:
    patient = load(PATIENT)
    patient["gender"] = "woman"
    [issue] = validator().validate(patient)
    assert (issue.rule, issue.expression) == (rules.CODE_NOT_IN_REQUIRED, "Patient.gender")
    assert "value set AdministrativeGender (http://hl7.org/fhir/ValueSet/administrative-gender)" in issue.message


def test_required_binding_on_a_codeable_concept() -> None:
    task = load(TASK)
    task["businessStatus"] = {"coding": [{"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-stage", "code": "lost"}]}
    [issue] = validator().validate(task, P2P_REQUEST)
    assert issue.message == (
        "Task.businessStatus: its coding http://fhir-p2p.org/fhir/CodeSystem/p2p-stage#lost is not in value set "
        "P2P stages (http://fhir-p2p.org/fhir/ValueSet/p2p-stage), which the element requires"
    )
    assert (issue.severity, issue.rule) == ("error", rules.CODE_NOT_IN_REQUIRED)


def test_one_good_coding_is_enough() -> None:
    task = load(TASK)
    task["businessStatus"] = {
        "coding": [
            {"system": "http://example.org/local", "code": "sched"},
            {"system": "http://fhir-p2p.org/fhir/CodeSystem/p2p-stage", "code": "scheduled"},
        ]
    }
    assert validator().validate(task, P2P_REQUEST) == []


def test_required_binding_needs_a_coding() -> None:
    task = load(TASK)
    task["businessStatus"] = {"text": "scheduled"}
    [issue] = validator().validate(task, P2P_REQUEST)
    assert (issue.rule, issue.expression) == (rules.NO_CODING, "Task.businessStatus")
    assert issue.message.startswith("Task.businessStatus has no coding, but its required binding needs a code from")


def test_code_of_a_system_that_is_not_bundled_is_information() -> None:
    denial = load(DENIAL)
    found = validator().validate(denial, P2P_DENIAL)
    assert {(i.severity, i.rule) for i in found} == {("information", rules.CODE_NOT_CHECKED)}
    first = found[0]
    assert first.expression == "ClaimResponse.item[0].adjudication[0].extension[0].extension[0].valueCodeableConcept"
    assert "code system https://codesystem.x12.org/005010/306 is not bundled" in first.message


def test_external_systems_get_a_syntax_check() -> None:
    denial = load(DENIAL)
    denial["item"][0]["adjudication"][0]["amount"] = {"value": 100, "currency": "USD"}
    assert [i for i in validator().validate(denial, P2P_DENIAL) if i.severity != "information"] == []
    denial["item"][0]["adjudication"][0]["amount"]["currency"] = "dollars"
    [issue] = [i for i in validator().validate(denial, P2P_DENIAL) if i.severity != "information"]
    assert (issue.rule, issue.expression) == (
        rules.CODE_NOT_IN_REQUIRED,
        "ClaimResponse.item[0].adjudication[0].amount.currency",
    )


# -- extensible bindings and value set composition (synthetic definitions)


def _code_system(*codes: Any) -> dict[str, Any]:
    return {
        "resourceType": "CodeSystem",
        "url": EXAMPLE_CS,
        "name": "Colours",
        "status": "draft",
        "content": "complete",
        "concept": list(codes),
    }


COLOURS = _code_system(
    {"code": "warm", "concept": [{"code": "red"}, {"code": "orange", "concept": [{"code": "amber"}]}]},
    {"code": "cold", "concept": [{"code": "blue"}]},
)


def _value_set(name: str, *include: dict[str, Any], exclude: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    compose: dict[str, Any] = {"include": list(include)}
    if exclude:
        compose["exclude"] = list(exclude)
    return {"resourceType": "ValueSet", "url": EXAMPLE_VS + name, "name": name, "status": "draft", "compose": compose}


def _terminology(*resources: dict[str, Any]) -> Terminology:
    registry = base_registry()
    return Terminology(type(registry)([*registry.own, COLOURS, *resources], registry.base))


def test_whole_system_include() -> None:
    expansion = _terminology(_value_set("all", {"system": EXAMPLE_CS})).expansion(EXAMPLE_VS + "all")
    assert expansion.check(EXAMPLE_CS, "amber") is Verdict.OK
    assert expansion.check(EXAMPLE_CS, "green") is Verdict.BAD
    assert expansion.check(None, "blue") is Verdict.OK


def test_listed_concepts_and_exclude() -> None:
    vs = _value_set(
        "some",
        {"system": EXAMPLE_CS, "concept": [{"code": "red"}, {"code": "blue"}]},
        exclude=({"system": EXAMPLE_CS, "concept": [{"code": "blue"}]},),
    )
    expansion = _terminology(vs).expansion(EXAMPLE_VS + "some")
    assert [expansion.check(EXAMPLE_CS, c) for c in ("red", "blue", "amber")] == [Verdict.OK, Verdict.BAD, Verdict.BAD]


def test_is_a_filter_and_included_value_sets() -> None:
    warm = _value_set(
        "warm", {"system": EXAMPLE_CS, "filter": [{"property": "concept", "op": "is-a", "value": "warm"}]}
    )
    both = _value_set(
        "both", {"valueSet": [EXAMPLE_VS + "warm"]}, {"system": EXAMPLE_CS, "concept": [{"code": "blue"}]}
    )
    expansion = _terminology(warm, both).expansion(EXAMPLE_VS + "both")
    assert [expansion.check(EXAMPLE_CS, c) for c in ("warm", "amber", "blue", "cold")] == [
        Verdict.OK,
        Verdict.OK,
        Verdict.OK,
        Verdict.BAD,
    ]


def test_unsupported_filter_and_missing_value_set_are_unknown() -> None:
    regex = _value_set("regex", {"system": EXAMPLE_CS, "filter": [{"property": "code", "op": "regex", "value": "r.*"}]})
    terminology = _terminology(regex)
    assert terminology.expansion(EXAMPLE_VS + "regex").check(EXAMPLE_CS, "red") is Verdict.UNKNOWN
    missing = terminology.expansion(EXAMPLE_VS + "missing")
    assert missing.check(EXAMPLE_CS, "red") is Verdict.UNKNOWN
    assert missing.why_unknown() == f"value set {EXAMPLE_VS}missing is not bundled"


def _extensible_profile() -> dict[str, Any]:
    registry = base_registry()
    patient = registry.type_definition("Patient")
    assert patient is not None
    elements = [dict(e) for e in patient["snapshot"]["element"]]
    for element in elements:
        if element["id"] == "Patient.maritalStatus":
            element["binding"] = {"strength": "extensible", "valueSet": EXAMPLE_VS + "all"}
    return {
        **patient,
        "url": "http://example.org/fhir/StructureDefinition/colour-patient",
        "derivation": "constraint",
        "snapshot": {"element": elements},
    }


def test_extensible_binding_warns() -> None:
    check = validator_with(COLOURS, _value_set("all", {"system": EXAMPLE_CS}), _extensible_profile())
    url = "http://example.org/fhir/StructureDefinition/colour-patient"
    patient = load(PATIENT)
    patient["maritalStatus"] = {"coding": [{"system": EXAMPLE_CS, "code": "green"}]}
    [issue] = check.validate(patient, url)
    assert (issue.severity, issue.rule, issue.expression) == (
        "warning",
        rules.CODE_NOT_IN_EXTENSIBLE,
        "Patient.maritalStatus",
    )
    assert issue.message.endswith("which the element should use (extensible)")
    patient["maritalStatus"] = {"text": "it is complicated"}
    assert check.validate(patient, url) == []
    patient["maritalStatus"] = {"coding": [{"system": EXAMPLE_CS, "code": "red"}]}
    assert check.validate(patient, url) == []

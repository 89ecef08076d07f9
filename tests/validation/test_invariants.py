"""FHIRPath invariants: profile invariants compiled (fhirpathpy for the rest), base invariants natively,
the native ones agreeing with fhirpathpy."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fhirpathpy.parser import parse

from fhir_p2p.errors import Issue
from fhir_p2p.validation import rules
from fhir_p2p.validation.elements import Constraint
from fhir_p2p.validation.invariants import Invariant, InvariantError, evaluate_with_fhirpathpy
from fhir_p2p.validation.native_invariants import NATIVE, compare_date_times
from fhir_p2p.validation.scope import Scope
from tests.validation.support import DENIAL, P2P_DENIAL, P2P_REQUEST, PATIENT, PROFILES, TASK, load, validator
from tests.validation.synthetic import validator_with

OUTPUT = "http://fhir-p2p.org/fhir/CodeSystem/p2p-output"


def test_profile_invariant_names_its_key() -> None:
    task = load(TASK)
    task["status"] = "completed"
    [issue] = validator().validate(task, P2P_REQUEST)
    assert issue == Issue(
        "error",
        "invariant",
        "p2p-task-1: A completed Task records its outcome (output outcome).",
        "Task",
        rules.INVARIANT,
    )


def test_warning_invariant_is_a_warning() -> None:
    denial = load(DENIAL)
    denial["item"][0]["adjudication"][0]["extension"][0]["extension"].pop(1)  # the reason code
    del denial["processNote"]
    found = [i for i in validator().validate(denial, P2P_DENIAL) if i.severity != "information"]
    assert [(i.severity, i.rule, i.expression, i.message.split(":")[0]) for i in found] == [
        ("warning", rules.INVARIANT, "ClaimResponse", "p2p-denial-2")
    ]


def test_adverse_review_action_invariant() -> None:
    denial = load(DENIAL)
    denial["item"][0]["adjudication"][0]["extension"][0]["extension"][0]["valueCodeableConcept"]["coding"][0][
        "code"
    ] = "A1"
    found = [i for i in validator().validate(denial, P2P_DENIAL) if i.is_error]
    assert [(i.rule, i.message.split(":")[0]) for i in found] == [(rules.INVARIANT, "p2p-denial-1")]


def test_base_invariant_in_a_data_type() -> None:
    patient = load(PATIENT)
    patient["name"][0]["period"] = {"start": "2020-02-01", "end": "2020-01-01"}
    [issue] = validator().validate(patient)
    assert issue == Issue(
        "error",
        "invariant",
        "per-1: If present, start SHALL have a lower value than end",
        "Patient.name[0].period",
        rules.INVARIANT,
    )


@pytest.mark.parametrize("profile", [P2P_DENIAL, P2P_REQUEST])
def test_profile_invariants_are_compiled(profile: str) -> None:
    rule = validator().compiler.resource_rule(profile)
    assert rule is not None
    own = [invariant for invariant in rule.invariants if invariant.constraint.key.startswith("p2p-")]
    assert own and all(invariant.is_compiled for invariant in own)


def test_has_value_of_a_decimal_in_fhirpathpy() -> None:
    """fhirpathpy hands our hasValue() a decimal as Decimal; it has a value."""
    assert evaluate_with_fhirpathpy(parse("value.hasValue()"), "Quantity", {"value": 1.5}, Scope({}, {})) == [True]


def test_best_practice_invariants_only_on_request() -> None:
    patient = load(PATIENT)
    assert validator().validate(patient) == []
    check = validator_with()
    check.best_practice = True
    [issue] = check.validate(patient)
    assert (issue.severity, issue.message.split(":")[0]) == ("warning", "dom-6")


@pytest.mark.parametrize("expression", ["name.conformsTo('http://x')", "name.family = 'unterminated"])
def test_expression_fhirpathpy_cannot_handle_raises(expression: str) -> None:
    invariant = Invariant(Constraint("x-1", "error", "x", expression, False, "test"), "Patient")
    with pytest.raises(InvariantError):
        invariant.holds({"resourceType": "Patient", "name": [{"family": "a"}]}, Scope({}, {}))


def test_invariant_that_cannot_be_evaluated_is_information() -> None:
    profile = copy.deepcopy(load(PROFILES / "StructureDefinition-p2p-request.json"))
    profile["url"] = "http://example.org/fhir/StructureDefinition/odd-task"
    profile["snapshot"]["element"][0]["constraint"].append(
        {"key": "odd-1", "severity": "error", "human": "odd", "expression": "conformsTo('http://x')"}
    )
    [issue] = validator_with(profile).validate(load(TASK), profile["url"])
    assert (issue.severity, issue.rule, issue.expression) == ("information", rules.INVARIANT_NOT_EVALUATED, "Task")
    assert issue.message.startswith("Task: invariant odd-1 was not evaluated (cannot evaluate: ")


# -- native implementations agree with fhirpathpy on the published expressions

# Times in one zone only: fhirpathpy 2.2.4 compares dateTime elements as strings (see the next test).
PERIODS = [
    {"start": "2026-01-01", "end": "2026-01-02"},
    {"start": "2026-01-02", "end": "2026-01-01"},
    {"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T11:00:00Z"},
    {"start": "2026-01-01T10:00:00-05:00", "end": "2026-01-01T09:00:00-05:00"},
    {"start": "2026-01-01"},
    {"end": "2026"},
    {"start": "2026-03", "end": "2026-02"},
]
SAMPLES: dict[str, list[Any]] = {
    "ele-1": [{"id": "a"}, {"id": "a", "text": "b"}, {"text": "b"}],
    "ext-1": [
        {"url": "u", "valueString": "v"},
        {"url": "u"},
        {"url": "u", "extension": [{"url": "x", "valueString": "y"}]},
        {"url": "u", "valueString": "v", "extension": [{"url": "x", "valueString": "y"}]},
    ],
    "per-1": PERIODS,
    "cpt-2": [{"value": "1"}, {"system": "phone", "value": "1"}, {"system": "phone"}],
    "att-1": [{"data": "aGk="}, {"data": "aGk=", "contentType": "text/plain"}, {"url": "http://x"}],
    "qty-3": [{"code": "mg"}, {"code": "mg", "system": "http://unitsofmeasure.org"}, {"value": 1}],
    "sqty-1": [{"value": 1}, {"value": 1, "comparator": "<"}],
    "dom-2": [
        {"resourceType": "Patient"},
        {"resourceType": "Patient", "contained": [{"resourceType": "Patient", "id": "a"}]},
        {
            "resourceType": "Patient",
            "contained": [{"resourceType": "Patient", "id": "a", "contained": [{"resourceType": "Patient"}]}],
        },
    ],
    "dom-4": [
        {"resourceType": "Patient", "contained": [{"resourceType": "Patient", "id": "a", "meta": {"versionId": "1"}}]},
        {
            "resourceType": "Patient",
            "contained": [{"resourceType": "Patient", "id": "a", "meta": {"tag": [{"code": "x"}]}}],
        },
    ],
    "dom-5": [
        {
            "resourceType": "Patient",
            "contained": [{"resourceType": "Patient", "id": "a", "meta": {"security": [{"code": "R"}]}}],
        },
        {"resourceType": "Patient", "contained": [{"resourceType": "Patient", "id": "a"}]},
    ],
    "dom-6": [
        {"resourceType": "Patient"},
        {"resourceType": "Patient", "text": {"status": "generated", "div": "<div/>"}},
    ],
    "inv-1": [
        {"resourceType": "Task", "authoredOn": "2026-01-02T00:00:00Z", "lastModified": "2026-01-01T00:00:00Z"},
        {"resourceType": "Task", "authoredOn": "2026-01-01T00:00:00Z", "lastModified": "2026-01-02T00:00:00Z"},
        {"resourceType": "Task", "authoredOn": "2026-01-01T00:00:00Z"},
    ],
}
BASE_PATHS = {
    "ele-1": "Coding",
    "ext-1": "Extension",
    "per-1": "Period",
    "cpt-2": "ContactPoint",
    "att-1": "Attachment",
    "qty-3": "Quantity",
    "sqty-1": "Quantity",
    "inv-1": "Task",
}


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_native_invariant_agrees_with_fhirpathpy(key: str) -> None:
    expression = next(expr for (native_key, expr) in NATIVE if native_key == key)
    constraint = Constraint(key, "error", "", expression, False, "test")
    native = Invariant(constraint, BASE_PATHS.get(key, "Patient"))
    assert native.is_native
    for sample in SAMPLES[key]:
        scope = Scope(sample, sample)
        via_fhirpath = _fhirpathpy(constraint, BASE_PATHS.get(key, "Patient"), sample, scope)
        assert native.holds(sample, scope) is via_fhirpath, sample


def _fhirpathpy(constraint: Constraint, base: str, value: Any, scope: Scope) -> bool:
    """Evaluate the constraint with fhirpathpy, as the native implementation stands for it."""
    return evaluate_with_fhirpathpy(parse(constraint.expression), base, value, scope) == [True]


def test_per_1_compares_instants_across_time_zones() -> None:
    """10:00Z is before 09:00-05:00 (14:00Z); fhirpathpy compares the strings and gets this wrong."""
    per_1 = NATIVE[next(k for k in NATIVE if k[0] == "per-1")]
    scope = Scope({}, {})
    assert per_1({"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T09:00:00-05:00"}, scope)
    assert not per_1({"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T04:00:00-05:00"}, scope)


def test_ref_1_and_dom_3_natively() -> None:
    patient = {
        "resourceType": "Patient",
        "contained": [{"resourceType": "Organization", "id": "o"}],
        "managingOrganization": {"reference": "#o"},
    }
    ref_1 = NATIVE[next(k for k in NATIVE if k[0] == "ref-1")]
    dom_3 = NATIVE[next(k for k in NATIVE if k[0] == "dom-3")]
    scope = Scope(patient, patient)
    assert (
        ref_1({"reference": "#o"}, scope)
        and not ref_1({"reference": "#x"}, scope)
        and ref_1({"reference": "Patient/1"}, scope)
    )
    assert dom_3(patient, scope)
    assert not dom_3({**patient, "managingOrganization": {"reference": "Organization/o"}}, scope)


def test_narrative_checks() -> None:
    txt_1 = NATIVE[("txt-1", "htmlChecks()")]
    txt_2 = NATIVE[("txt-2", "htmlChecks()")]
    scope = Scope({}, {})
    good = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Denied <b>MRI</b></p></div>'
    assert txt_1(good, scope) and txt_2(good, scope)
    assert not txt_1('<div xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></div>', scope)
    assert not txt_1('<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">a</p></div>', scope)
    assert not txt_1("<div>no namespace</div>", scope)
    assert not txt_1("<div", scope)
    assert not txt_2('<div xmlns="http://www.w3.org/1999/xhtml">  </div>', scope)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("2026-01-01", "2026-01-02", -1),
        ("2026-01-02", "2026-01-02", 0),
        ("2026-02", "2026-01-31", 1),
        ("2026-01", "2026-01-15", None),
        ("2026-01-01T10:00:00Z", "2026-01-01T05:00:00-05:00", 0),
        ("2026-01-01T10:00:00Z", "2026-01-01", None),
        ("2026-01-02T10:00:00Z", "2026-01-01", 1),
        (None, "2026", None),
    ],
)
def test_compare_date_times(left: Any, right: Any, expected: int | None) -> None:
    assert compare_date_times(left, right) == expected

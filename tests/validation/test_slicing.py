"""Slicing: pattern, value, type and exists discriminators, open and closed, ordered, extension slices by url."""

from __future__ import annotations

from typing import Any

from fhir_p2p.validation import rules
from tests.validation.support import DENIAL, P2P_DENIAL, P2P_REQUEST, TASK, load, validator
from tests.validation.synthetic import TEST_BASE, minimal_task, task_input_profile, validator_with

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"


def rule_expressions(resource: dict[str, Any], profile: str, check: Any = None) -> list[tuple[str | None, str | None]]:
    found = (check or validator()).validate(resource, profile)
    return [(i.rule, i.expression) for i in found if i.severity != "information"]


# -- pattern discriminator (p2p-request: Task.input by type)


def test_closed_slicing_refuses_an_item_that_matches_no_slice() -> None:
    task = load(TASK)
    task["input"][5]["type"]["coding"][0]["code"] = "second-opinion"
    found = validator().validate(task, P2P_REQUEST)
    unmatched = next(i for i in found if i.rule == rules.SLICE_UNMATCHED)
    assert unmatched.expression == "Task.input[5]"
    assert unmatched.message == (
        "Task.input[5] matches none of the slices of Task.input (requester-role, callback, availability, "
        "requested-specialty, clinical-rationale, supporting-info, denied-item), and the slicing is closed"
    )


def test_slice_minimum() -> None:
    task = load(TASK)
    del task["input"][1]
    [issue] = [i for i in validator().validate(task, P2P_REQUEST) if i.severity != "information"]
    assert (issue.rule, issue.expression, issue.message) == (
        rules.SLICE_TOO_FEW,
        "Task.input",
        "Task.input: slice 'callback' needs at least 1 item(s), found 0",
    )


def test_slice_maximum() -> None:
    task = load(TASK)
    task["input"].append(task["input"][5])
    [issue] = [i for i in validator().validate(task, P2P_REQUEST) if i.severity != "information"]
    assert (issue.rule, issue.message) == (
        rules.SLICE_TOO_MANY,
        "Task.input: slice 'clinical-rationale' allows at most 1 item(s), found 2",
    )


def test_slice_content_is_checked_against_the_slice() -> None:
    task = load(TASK)
    task["input"][0]["valueCodeableConcept"]["coding"][0]["code"] = "surgeon"
    [issue] = [i for i in validator().validate(task, P2P_REQUEST) if i.severity != "information"]
    assert (issue.rule, issue.expression) == (rules.CODE_NOT_IN_REQUIRED, "Task.input[0].valueCodeableConcept")


def test_unsliced_repeats_of_a_0_star_slice_are_fine() -> None:
    task = load(TASK)
    task["input"].append(task["input"][2])
    assert rule_expressions(task, P2P_REQUEST) == []


# -- value discriminator on url (extension slices, SUSHI leaves the url child out)


def test_extension_slice_matched_by_url_of_its_profile() -> None:
    denial = load(DENIAL)
    review = denial["item"][0]["adjudication"][0]["extension"][0]
    denial["item"][0]["adjudication"][0]["extension"].append(review)
    assert rule_expressions(denial, P2P_DENIAL) == [
        (rules.SLICE_TOO_MANY, "ClaimResponse.item[0].adjudication[0].extension")
    ]


def test_sub_extension_slices_of_a_complex_extension() -> None:
    denial = load(DENIAL)
    reviewer = denial["extension"][0]
    reviewer["extension"] = [e for e in reviewer["extension"] if e["url"] != "wasHumanReviewedFlag"]
    assert rule_expressions(denial, P2P_DENIAL) == [(rules.SLICE_TOO_FEW, "ClaimResponse.extension[0].extension")]


def test_open_extension_slicing_accepts_other_extensions() -> None:
    denial = load(DENIAL)
    denial["extension"].append({"url": "http://example.org/fhir/StructureDefinition/other", "valueString": "x"})
    assert rule_expressions(denial, P2P_DENIAL) == [(rules.UNKNOWN_EXTENSION, "ClaimResponse.extension[1]")]


# -- type, exists and value discriminators, ordered slicing (synthetic profiles)

CODE = "http://example.org/codes"


def _typed_profile(**options: Any) -> dict[str, Any]:
    return task_input_profile(
        "typed",
        [{"type": "type", "path": "value"}],
        [
            {"name": "text", "types": ["string"], "min": 1, "max": "1"},
            {"name": "number", "types": ["positiveInt"], "max": "2"},
        ],
        **options,
    )


def _input(value_key: str, value: Any, code: str = "x") -> dict[str, Any]:
    return {"type": {"coding": [{"system": CODE, "code": code}]}, value_key: value}


def test_type_discriminator_matches_by_the_choice_key() -> None:
    check = validator_with(_typed_profile())
    task = minimal_task(_input("valueString", "a"), _input("valuePositiveInt", 1), _input("valuePositiveInt", 2))
    assert rule_expressions(task, TEST_BASE + "typed", check) == []


def test_type_discriminator_slice_counts_and_closed_rule() -> None:
    check = validator_with(_typed_profile())
    task = minimal_task(*[_input("valuePositiveInt", n) for n in (1, 2, 3)], _input("valueBoolean", True))
    assert sorted(rule_expressions(task, TEST_BASE + "typed", check)) == [
        (rules.SLICE_TOO_FEW, "Task.input"),
        (rules.SLICE_TOO_MANY, "Task.input"),
        (rules.SLICE_UNMATCHED, "Task.input[3]"),
    ]


def test_ordered_slicing() -> None:
    check = validator_with(_typed_profile(ordered=True))
    task = minimal_task(_input("valuePositiveInt", 1), _input("valueString", "a"))
    found = [i for i in check.validate(task, TEST_BASE + "typed") if i.severity != "information"]
    assert [(i.rule, i.expression, i.message) for i in found] == [
        (rules.SLICE_ORDER, "Task.input[1]", "Task.input[1] is out of the slice order of Task.input")
    ]


def test_open_at_end_slicing() -> None:
    check = validator_with(_typed_profile(rules="openAtEnd"))
    task = minimal_task(_input("valueBoolean", True), _input("valueString", "a"))
    assert rule_expressions(task, TEST_BASE + "typed", check) == [(rules.SLICE_ORDER, "Task.input[1]")]


def test_value_discriminator_with_a_pattern() -> None:
    profile = task_input_profile(
        "coded",
        [{"type": "value", "path": "type"}],
        [{"name": "a", "types": ["string"], "min": 1, "pattern": {"coding": [{"system": CODE, "code": "a"}]}}],
        rules="open",
    )
    check = validator_with(profile)
    assert rule_expressions(minimal_task(_input("valueString", "s", "a")), TEST_BASE + "coded", check) == []
    assert rule_expressions(minimal_task(_input("valueString", "s", "b")), TEST_BASE + "coded", check) == [
        (rules.SLICE_TOO_FEW, "Task.input")
    ]


def test_exists_discriminator() -> None:
    profile = task_input_profile(
        "exists",
        [{"type": "exists", "path": "value"}],
        [{"name": "with-value", "types": ["string"], "min": 1, "max": "1"}],
        rules="open",
    )
    check = validator_with(profile)
    assert rule_expressions(minimal_task(_input("valueString", "s")), TEST_BASE + "exists", check) == []


def test_unsupported_discriminator_is_information_not_an_error() -> None:
    profile = task_input_profile(
        "by-profile",
        [{"type": "profile", "path": "value"}],
        [{"name": "p", "types": ["string"], "min": 1}],
    )
    check = validator_with(profile)
    found = check.validate(minimal_task(_input("valueString", "s")), TEST_BASE + "by-profile")
    assert [(i.severity, i.rule, i.expression) for i in found] == [
        ("information", rules.SLICE_NOT_EVALUATED, "Task.input")
    ]
    assert "discriminator 'profile' on value is not evaluated" in found[0].message

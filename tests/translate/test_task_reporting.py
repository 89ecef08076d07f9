"""What the 278 request cannot carry is reported as a warning with its FHIRPath; what it requires and is
missing refuses the translation (422) with every issue. Each case is a named mutation of the example
Task's resource set."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from fhir_p2p.errors import Unprocessable
from fhir_p2p.resources import pas
from fhir_p2p.translate import to_278_request
from tests.translate.support import task_example_set

TASK = "Task-p2p-mri-lumbar"
DOCUMENT = "DocumentReference-note-spine-clinic-2026-11-16"
Resources = dict[str, Any]


def _input(code: str, key: str, value: Any) -> dict:
    return {"type": pas.concept(pas.INPUT_SYSTEM, code), key: value}


def _more_documents(resources: Resources) -> None:
    for n in range(10):
        copied = copy.deepcopy(resources[DOCUMENT]) | {"id": f"copy-{n}"}
        resources[f"copy-{n}"] = copied
        reference = {"reference": f"DocumentReference/copy-{n}"}
        resources[TASK]["input"].append(_input("supporting-info", "valueReference", reference))


# name -> (edit of the example set, the (expression, rule) it must add to the example's warnings)
WARNED: dict[str, tuple[Callable[[Resources], Any], set[tuple[str, str]]]] = {
    "a specialty that is not NUCC": (
        lambda r: r[TASK]["input"][4].update(valueCodeableConcept={"text": "spine surgeon"}),
        {("Task.input[4].valueCodeableConcept", "x12map-001")},
    ),
    "a second callback": (
        lambda r: r[TASK]["input"].append(_input("callback", "valueContactPoint", {"system": "phone", "value": "1"})),
        {("Task.input[8]", "x12map-001")},
    ),
    "a callback by sms": (
        lambda r: r[TASK]["input"][1]["valueContactPoint"].update(system="sms"),
        {("Task.input[1].valueContactPoint", "x12map-001")},
    ),
    "an eleventh document": (_more_documents, {("Task.input[17]", "x12map-001")}),
    "a document X12 has no report type for": (
        lambda r: r[DOCUMENT].update(type={"text": "note"}),
        {("DocumentReference.type", "x12map-007")},
    ),
    "a denied item twice": (
        lambda r: r[TASK]["input"].append(_input("denied-item", "valuePositiveInt", 1)),
        {("Task.input[8]", "x12map-001")},
    ),
    "an input outside p2p-input": (
        lambda r: r[TASK]["input"].append({"type": {"text": "other"}, "valueString": "x"}),
        {("Task.input[8]", "x12map-001")},
    ),
    "a requester role outside p2p-requester-role": (
        lambda r: r[TASK]["input"][0].update(valueCodeableConcept={"text": "resident"}),
        {("Task.input[0].valueCodeableConcept", "x12map-001")},
    ),
    "a status other than requested": (lambda r: r[TASK].update(status="accepted"), {("Task.status", "x12map-001")}),
    "an appeal's partOf": (
        lambda r: r[TASK].update(partOf=[{"reference": "Task/p2p"}]),
        {("Task.partOf", "x12map-001")},
    ),
    "a name outside ASCII": (
        lambda r: r["Patient-theodora-vance"]["name"][0].update(family="Vancé"),
        {("Patient.name[0].family", "x12map-003")},
    ),
}


def _issues(resources: Resources) -> set[tuple[str, str]]:
    return {(i.expression or "", i.rule or "") for i in to_278_request(resources).issues}


@pytest.mark.parametrize("name", WARNED)
def test_unmappable_values_are_reported_with_their_fhirpath(name):
    edit, expected = WARNED[name]
    resources = task_example_set()
    before = _issues(resources)
    edit(resources)
    assert _issues(resources) - before == expected


# name -> (edit, the error issues it must raise)
REFUSED: dict[str, tuple[Callable[[Resources], Any], list[tuple[str, str]]]] = {
    "no owner": (lambda r: r[TASK].pop("owner"), [("Task.owner", "x12map-004")]),
    "a requester without NPI": (
        lambda r: r["Practitioner-adaeze-lindqvist"].pop("identifier"),
        [("Practitioner.identifier", "x12map-004")],
    ),
    "a focus that names no denial": (
        lambda r: r[TASK].update(focus={"reference": "ClaimResponse/unknown"}),
        [("Task.focus", "x12map-004")],
    ),
    "no authoredOn": (lambda r: r[TASK].pop("authoredOn"), [("Task.authoredOn", "x12map-004")]),
    "not a P2P or appeal Task": (
        lambda r: r[TASK].update(code=pas.concept(pas.TASK_CODE_SYSTEM, "something-else")),
        [("Task.code", "x12map-006")],
    ),
}


@pytest.mark.parametrize("name", REFUSED)
def test_translation_is_refused_with_every_issue(name):
    edit, expected = REFUSED[name]
    resources = task_example_set()
    edit(resources)
    with pytest.raises(Unprocessable) as raised:
        to_278_request(resources)
    assert [(i.expression, i.rule) for i in raised.value.issues if i.is_error] == expected
    if name != "not a P2P or appeal Task":  # refused before anything else is read
        assert any(i.severity == "warning" for i in raised.value.issues)

"""Reference target types: relative, absolute, conditional, contained and Bundle-internal references."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_p2p.errors import Issue
from fhir_p2p.validation import rules
from fhir_p2p.validation.references import reference_type
from tests.validation.support import P2P_REQUEST, TASK, load, validator

KNOWN = {"Patient", "Organization", "ClaimResponse", "Practitioner"}.__contains__


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("Patient/123", "Patient"),
        ("Patient/123/_history/2", "Patient"),
        ("https://ehr.example.org/fhir/Patient/123", "Patient"),
        ("https://ehr.example.org/fhir/Patient/123/_history/4", "Patient"),
        ("Patient?identifier=http://x|1", "Patient"),
        ("https://ehr.example.org/fhir/Patient?identifier=1", "Patient"),
        ("#org", "Organization"),
        ("#", "Task"),
        ("#missing", None),
        ("urn:uuid:1", "ClaimResponse"),
        ("urn:uuid:2", None),
        ("Thing/1", None),
        ("just-an-id", None),
    ],
)
def test_reference_type(reference: str, expected: str | None) -> None:
    root: dict[str, Any] = {"resourceType": "Task", "contained": [{"resourceType": "Organization", "id": "org"}]}
    assert reference_type(reference, root, KNOWN, {"urn:uuid:1": "ClaimResponse"}.get) == expected


def test_wrong_target_type() -> None:
    task = load(TASK)
    task["focus"] = {"reference": "Claim/pa-mri-lumbar"}
    assert validator().validate(task, P2P_REQUEST) == [
        Issue(
            "error",
            "structure",
            "Task.focus refers to Claim/pa-mri-lumbar, a Claim, but this element allows only ClaimResponse",
            "Task.focus",
            rules.REFERENCE_TARGET,
        )
    ]


def test_wrong_target_type_inside_a_slice() -> None:
    task = load(TASK)
    task["input"][6]["valueReference"] = {"reference": "Patient/theodora-vance"}
    [issue] = validator().validate(task, P2P_REQUEST)
    assert (issue.rule, issue.expression) == (rules.REFERENCE_TARGET, "Task.input[6].valueReference")
    assert issue.message.endswith("but this element allows only DocumentReference")


def test_base_definition_target_types_apply_without_a_profile() -> None:
    task = load(TASK)
    task["owner"] = {"reference": "Patient/theodora-vance"}
    assert validator().validate(task) == []  # base Task.owner allows Patient
    task["owner"] = {"reference": "Claim/x"}
    [issue] = validator().validate(task)
    assert issue.message.endswith(
        "allows only CareTeam, Device, HealthcareService, Organization, Patient, Practitioner, "
        "PractitionerRole, RelatedPerson"
    )


def test_reference_type_element() -> None:
    task = load(TASK)
    task["focus"]["type"] = "Patient"
    assert [(i.rule, i.expression) for i in validator().validate(task, P2P_REQUEST)] == [
        (rules.REFERENCE_TARGET, "Task.focus.type")
    ]
    task["focus"] = {"reference": "ClaimResponse/x", "type": "ClaimResponse"}
    assert validator().validate(task, P2P_REQUEST) == []


def test_reference_type_disagrees_with_the_literal() -> None:
    task = load(TASK)
    task["owner"] = {"reference": "Organization/x", "type": "Patient"}
    [issue] = validator().validate(task)
    assert (issue.rule, issue.message) == (
        rules.REFERENCE_TYPE_MISMATCH,
        "Task.owner.type says Patient, but the reference Organization/x names an Organization",
    )


def test_logical_reference_is_not_typed() -> None:
    task = load(TASK)
    task["focus"] = {"identifier": {"system": "urn:x", "value": "1"}}
    assert validator().validate(task, P2P_REQUEST) == []


def test_bundle_urn_references_are_typed_by_full_url() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:0c3c8b5a-7f7e-4a1e-9d7e-1f2a3b4c5d6e",
                "resource": {"resourceType": "Organization", "name": "x"},
            },
            {
                "fullUrl": "urn:uuid:1c3c8b5a-7f7e-4a1e-9d7e-1f2a3b4c5d6e",
                "resource": {
                    "resourceType": "Coverage",
                    "status": "active",
                    "beneficiary": {"reference": "urn:uuid:0c3c8b5a-7f7e-4a1e-9d7e-1f2a3b4c5d6e"},
                    "payor": [{"reference": "urn:uuid:0c3c8b5a-7f7e-4a1e-9d7e-1f2a3b4c5d6e"}],
                },
            },
        ],
    }
    [issue] = validator().validate(bundle)
    assert (issue.rule, issue.expression) == (rules.REFERENCE_TARGET, "Bundle.entry[1].resource.beneficiary")

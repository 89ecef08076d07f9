"""What the 278 cannot carry is reported as a warning with its FHIRPath; what it requires and is
missing refuses the translation (422) with every issue."""

from __future__ import annotations

import pytest

from fhir_p2p.errors import Unprocessable
from fhir_p2p.resources.pas import P2P_CONTACT
from fhir_p2p.translate import to_278_response
from tests.translate.support import EXAMPLES, example_set

MRI = EXAMPLES / "ClaimResponse-denial-mri-lumbar.json"


def _mri() -> tuple[dict, dict]:
    resources = example_set(MRI)
    return resources, resources[MRI.stem]


def _warnings(resources: dict) -> dict[str, str]:
    return {i.expression or "": i.rule or "" for i in to_278_response(resources).issues}


def test_unmappable_values_are_reported_with_their_fhirpath():
    resources, denial = _mri()
    denial["extension"].append(
        {"url": P2P_CONTACT, "valueContactPoint": {"system": "sms", "value": "555", "use": "work"}}
    )
    denial["processNote"].append({"number": 2, "type": "print", "text": "Second note", "language": {"text": "en"}})
    denial["item"][0]["adjudication"][0]["amount"] = {"value": 10, "currency": "USD"}
    denial["total"] = [{"category": {"text": "submitted"}, "amount": {"value": 10}}]
    warnings = _warnings(resources)
    assert warnings[f"ClaimResponse.extension('{P2P_CONTACT}')[0].value"] == "x12map-001"  # sms has no PER qualifier
    assert warnings[f"ClaimResponse.extension('{P2P_CONTACT}')[0].value.use"] == "x12map-001"
    assert warnings["ClaimResponse.processNote[1]"] == "x12map-001"
    assert warnings["ClaimResponse.processNote[1].language"] == "x12map-001"
    assert warnings["ClaimResponse.processNote[1].type"] == "x12map-001"
    assert warnings["ClaimResponse.item[0].adjudication[0].amount"] == "x12map-001"
    assert warnings["ClaimResponse.total"] == "x12map-001"


def test_text_outside_x12_and_too_long_is_reported():
    resources, _ = _mri()
    resources["Patient-theodora-vance"]["name"][0]["family"] = "Vancé" + "x" * 70
    found = {(i.expression, i.rule) for i in to_278_response(resources).issues}
    assert {("Patient.name[0].family", "x12map-003"), ("Patient.name[0].family", "x12map-002")} <= found
    text = to_278_response(resources).text
    assert "NM1*IL*1*Vanc?" + "x" * 55 + "*" in text


def test_translation_is_refused_when_the_member_id_is_missing():
    resources, _ = _mri()
    del resources["Coverage-northwind-ppo-theodora-vance"]["subscriberId"]
    del resources["Coverage-northwind-ppo-theodora-vance"]["identifier"]
    resources["Patient-theodora-vance"]["identifier"] = []
    with pytest.raises(Unprocessable) as raised:
        to_278_response(resources)
    errors = [i for i in raised.value.issues if i.is_error]
    assert [(i.expression, i.rule) for i in errors] == [("Coverage.subscriberId", "x12map-004")]
    assert any(i.severity == "warning" for i in raised.value.issues)


def test_translation_is_refused_when_the_patient_is_a_dependent():
    resources, _ = _mri()
    resources["Coverage-northwind-ppo-theodora-vance"]["subscriber"] = {"reference": "Patient/someone-else"}
    with pytest.raises(Unprocessable) as raised:
        to_278_response(resources)
    assert [i.rule for i in raised.value.issues if i.is_error] == ["x12map-006"]


def test_values_sent_in_a_coarser_form_are_reported():
    resources, denial = _mri()
    denial["requestor"] = {"reference": "PractitionerRole/adaeze-lindqvist-cvmc-spine"}
    del resources["PractitionerRole-adaeze-lindqvist-cvmc-spine"]["specialty"]
    resources["Patient-theodora-vance"]["gender"] = "other"
    denial["outcome"] = "partial"
    found = {(i.expression, i.rule) for i in to_278_response(resources).issues}
    coarser = {"PractitionerRole.specialty", "Patient.gender", "ClaimResponse.outcome", "ClaimResponse.created"}
    assert {(path, "x12map-005") for path in coarser} <= found

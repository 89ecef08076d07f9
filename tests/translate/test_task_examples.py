"""The example P2P Task (with what it references) and an appeal made from it become 278 requests that
we and pyx12 accept, and read back as Tasks with every mapped field intact."""

from __future__ import annotations

from fhir.resources.R4B import get_fhir_model_class

from fhir_p2p.resources import pas
from fhir_p2p.translate import from_278_request, to_278_request
from tests.translate.support import assert_accepted_by_both, task_example_set, task_mapped_fields

TASK = "Task-p2p-mri-lumbar"


def _appeal() -> dict:
    """The example Task as an expedited external review that a physician assistant files."""
    resources = task_example_set()
    task = resources[TASK]
    task["code"] = pas.concept(pas.TASK_CODE_SYSTEM, "external-review")
    task["priority"] = "stat"
    for found in task["input"]:
        if found["type"]["coding"][0]["code"] == "requester-role":
            found["valueCodeableConcept"] = pas.concept(pas.ROLE_SYSTEM, "physician-assistant")
    task["requester"] = {"reference": "PractitionerRole/adaeze-lindqvist-cvmc-spine"}
    return resources


def _segments(text: str) -> list[str]:
    return [line.rstrip("~") for line in text.splitlines()]


def test_example_task_and_an_appeal_pass_check_interchange_and_the_oracle():
    assert_accepted_by_both({"p2p": to_278_request(task_example_set()).text, "appeal": to_278_request(_appeal()).text})


def test_example_task_is_a_reconsideration_naming_the_denial():
    segments = _segments(to_278_request(task_example_set()).text)
    assert "BHT*0007*13*p2p-mri-lumbar*20261118*0830" in segments
    assert "UM*HS*S**22:B" in segments  # UM02 S; place of service 22 from the denial's Claim
    assert "REF*NT*NWH-UM-2026-1117-0042" in segments  # the denial's preAuthRef
    assert "NM1*1P*1*Lindqvist*Adaeze*R.*Dr.*MD*XX*1928374655" in segments  # 2010B requester
    description = "Spine clinic progress note documenting progressive left foot drop after the inpa"  # cut to 80
    assert f"PWK*09*EL***AC*DOC-2026-11-16-55821*{description}" in segments  # LOINC 11506-3: progress report
    message = next(s for s in segments if s.startswith("MSG*"))
    assert message.startswith("MSG*URGENT PEER TO PEER REVIEW REQUESTED WITH A 207XS0117X PEER. Progressive left L5")
    assert len(message) == len("MSG*") + 264
    event_provider = segments.index("NM1*DK*1*Lindqvist*Adaeze*R.*Dr.*MD*XX*1928374655")  # 2010EA, ordering physician
    assert segments[event_provider + 1] == "PER*IC**TE*+1-217-555-0143"  # the callback
    service = segments.index("HL*5*4*SS*0")  # denied-item 1, with the denial's and the Claim's item data
    assert segments[service + 1 : service + 6] == [
        "UM*HS*S",
        "REF*NT*NWH-UM-2026-1117-0042",
        "DTP*472*D8*20261120",
        "SV1*HC:72148**UN*1",
        "MSG*DISPUTED ITEM 1 - MRI lumbar spine without contrast",
    ]


def test_appeal_is_um02_1_with_its_kind_role_and_priority_in_the_preamble():
    segments = _segments(to_278_request(_appeal()).text)
    assert "UM*HS*1**22:B" in segments  # stat: expedited appeal
    assert "PRV*OT*PXC*207XS0117X" in segments  # physician assistant: PRV01 OT, the role's own specialty
    assert any(s.startswith("NM1*1T*1*Lindqvist") for s in segments)  # 2010EA: not the ordering physician
    message = next(s for s in segments if s.startswith("MSG*"))
    assert message.startswith("MSG*STAT EXTERNAL REVIEW REQUESTED BY PHYSICIAN ASSISTANT WITH A 207XS0117X PEER. ")


def test_example_tasks_round_trip_keeping_every_mapped_field():
    for source in (task_example_set(), _appeal()):
        bundle = from_278_request(to_278_request(source).text)
        get_fhir_model_class("Bundle").model_validate(bundle)  # the read-back is structurally valid R4
        assert task_mapped_fields(bundle) == task_mapped_fields(source)


def test_example_task_reads_back_as_a_p2p_request_with_its_parties():
    bundle = from_278_request(to_278_request(task_example_set()).text)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Task", "Patient", "Organization", "Practitioner", "DocumentReference"]
    task = bundle["entry"][0]["resource"]
    assert task["meta"]["profile"] == [pas.P2P_REQUEST]
    assert (task["status"], task["intent"], task["priority"]) == ("requested", "order", "urgent")
    assert task["focus"] == {"type": "ClaimResponse", "identifier": {"value": "NWH-UM-2026-1117-0042"}}
    assert [i["type"]["coding"][0]["code"] for i in task["input"]] == [
        "requester-role",
        "callback",
        "requested-specialty",
        "clinical-rationale",
        "supporting-info",
        "denied-item",
    ]


def test_example_task_reports_what_x12_cannot_carry():
    issues = to_278_request(task_example_set()).issues
    found = {(i.expression, i.rule) for i in issues}
    assert found == {
        ("Task.description", "x12map-001"),
        ("Task.lastModified", "x12map-001"),
        ("Task.reasonCode", "x12map-001"),
        ("Task.identifier[0]", "x12map-001"),  # not a urn:trnorg: trace
        ("Task.input[1].valueContactPoint.use", "x12map-001"),
        ("Task.input[2]", "x12map-001"),  # availability
        ("Task.input[3]", "x12map-001"),  # availability
        ("Task.input[5].valueString", "x12map-002"),  # the rationale, cut to what the preamble leaves
        ("DocumentReference.description", "x12map-002"),
        ("Task.authoredOn", "x12map-005"),
    }
    assert all(i.severity == "warning" for i in issues)

"""tests/x12/data's 278 request → FHIR → 278: the mapped segments come back; the others are named."""

from __future__ import annotations

from datetime import UTC, datetime

from fhir.resources.R4B import get_fhir_model_class

from fhir_p2p.translate import RequestEnvelope, from_278_request, to_278_request
from fhir_p2p.x12 import Party
from tests.x12.support import REQUEST

# Segments of the sample the mapping does not carry, and why (docs/x12-mapping.md "Not carried").
NOT_CARRIED = {
    "N3*100 MAIN STREET*SUITE 200",  # the requester's address: not part of the request for review
    "N4*SPRINGFIELD*IL*62701",
    "PER*IC*RIVERA ORTHOPEDICS*TE*2175550100",  # 2010B contact: the callback comes from 2010EA
    "REF*BB*AUTH778899",  # 2000E: REF*NT names the denial
    "DTP*AAH*RD8*20250317-20250321",  # event dates and diagnoses belong to the Claim, not the Task
    "HI*ABK:M5416*ABF:M5126",
    "REF*NT*ADM2025021400017@2000F",  # 2000F previous review and service line: the denial's and the Claim's
    "DTP*472*RD8*20250317-20250415",
    "SV1*HC:72148*1250*UN*1",
}
# Segments carried in part: the sample's value -> what comes back.
CHANGED = {
    "UM*HS*S*62*22:B": "UM*HS*S",  # UM03 service type and UM04 facility come from the denial's Claim
    "UM*HS*S*62": "UM*HS*S",
    "NM1*DK*1*RIVERA*ANA****XX*1234567893": "NM1*DK*1*RIVERA*ANA*M***XX*1234567893",  # 2010EA is the requester
    # the callback is one ContactPoint: PER02 (contact name) and the EX/EM pairs are not carried
    "PER*IC*ANA RIVERA MD*TE*2175550101*EX*22*EM*ARIVERA@RIVERAORTHO.EXAMPLE": "PER*IC**TE*2175550101",
    "MSG*DISPUTED ITEM 1 - MRI LUMBAR SPINE WITHOUT CONTRAST": "MSG*DISPUTED ITEM 1",  # the item number only
}
# the sample's ISA/GS/BHT03 values, ISA14 1 (a TA1 asked for)
ENVELOPE = RequestEnvelope(
    Party("ZZ", "RIVERAORTHO"),
    Party("ZZ", "ACMEHEALTHUM"),
    101,
    datetime(2025, 3, 10, 14, 15),
    "T",
    "P2PREQ20250310001",
    True,
)


def _lines(text: str) -> list[str]:
    return [line.rstrip("~") for line in text.splitlines()]


def test_request_sample_reproduces_its_mapped_segments():
    original = _lines(REQUEST.read_text())
    again = _lines(to_278_request(from_278_request(REQUEST.read_text()), ENVELOPE).text)
    service = original.index("HL*5*4*SS*0")
    tagged = original[:service] + [f"{line}@2000F" if line.startswith("REF") else line for line in original[service:]]
    kept = [line for line in tagged if line not in NOT_CARRIED and not line.startswith("SE*")]
    assert [line for line in again if not line.startswith("SE*")] == [CHANGED.get(line, line) for line in kept]


def test_request_sample_is_a_fixpoint_after_one_round_trip_with_a_zone():
    once = to_278_request(from_278_request(REQUEST.read_text(), zone=UTC), ENVELOPE).text
    assert to_278_request(from_278_request(once, zone=UTC), ENVELOPE).text == once


def test_request_sample_reads_as_a_p2p_request_with_its_parties_and_documents():
    bundle = from_278_request(REQUEST.read_text(), zone=UTC)
    get_fhir_model_class("Bundle").model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Task", "Patient", "Organization", "PractitionerRole", "Practitioner", *["DocumentReference"] * 2]
    task = bundle["entry"][0]["resource"]
    assert task["authoredOn"] == "2025-03-10T14:15:00+00:00"
    assert task["identifier"] == [{"system": "urn:trnorg:1234567890", "value": "P2P20250310001"}]
    assert task["requester"] == {"reference": "PractitionerRole/npi-1234567893-207X00000X"}
    inputs = {i["type"]["coding"][0]["code"]: i for i in task["input"]}
    assert inputs["callback"]["valueContactPoint"] == {"system": "phone", "value": "2175550101"}
    assert (
        inputs["clinical-rationale"]["valueString"] == "PATIENT COMPLETED 8 WEEKS OF PHYSICAL THERAPY WITHOUT RELIEF."
    )
    assert inputs["denied-item"]["valuePositiveInt"] == 1
    fax = bundle["entry"][6]["resource"]
    assert fax["category"][0]["coding"][0]["code"] == "FX"  # PWK02: sent by fax
    assert fax["identifier"] == [{"value": "DOC20250310B"}]

"""tests/x12/data's 278 response → FHIR → 278: the mapped segments come back; the others are named."""

from __future__ import annotations

from datetime import datetime

from fhir_p2p.translate import ResponseEnvelope, from_278_response, to_278_response
from fhir_p2p.x12 import Party, read_interchange
from tests.x12.support import RESPONSE

# Segments of the sample the mapping does not carry, and why (docs/x12-mapping.md "Not carried").
NOT_CARRIED_EVENT = {
    "HI*ABK:M5416",  # diagnoses belong to the Claim, which the response mapping does not produce
}
NOT_CARRIED_SERVICE = {
    "TRN*2*REQ20250213001S1*1234567890",  # 2000F trace: items are identified by position
    "DTP*472*D8*20250301",  # 2000F service date: the Claim's servicedDate
    "DTP*102*D8*20250214",  # 2000F issue date: one ClaimResponse.created for the whole event (kept in 2000E)
    "SV1*HC:72148*1250*UN*1",  # the service line itself: the Claim's item
}
# Segments carried in part: the sample's value -> what comes back.
CHANGED = {
    # UM03 service type and UM04 facility come from the Claim, which is not read back
    "UM*HS*I*62*22:B": "UM*HS*I",
    "UM*HS*I*62": "UM*HS*I",
    # a ContactPoint is one number: PER02 (contact name) and the EX/EM pairs are not carried
    "PER*IC*UM PEER TO PEER LINE*TE*8005550199*EX*4*EM*P2P@ACMEHEALTH.EXAMPLE": "PER*IC**TE*8005550199",
}


def _lines(text: str) -> list[str]:
    return [line.rstrip("~") for line in text.splitlines()]


def test_response_sample_reproduces_its_mapped_segments():
    original = RESPONSE.read_text()
    envelope = ResponseEnvelope(
        sender=Party("ZZ", "ACMEHEALTHUM"),
        receiver=Party("ZZ", "RIVERAORTHO"),
        control_number=555,
        created=datetime(2025, 2, 14, 9, 30),
        reference="DEN20250214001",
    )
    again = to_278_response(from_278_response(original), envelope).text
    lines = _lines(original)
    service = lines.index("HL*5*4*SS*0")
    kept = [line for line in lines[:service] if line not in NOT_CARRIED_EVENT]
    kept += [line for line in lines[service:] if line not in NOT_CARRIED_SERVICE]
    # SE01 counts the segments, fewer after the round trip
    expected = [CHANGED.get(line, line) for line in kept if not line.startswith("SE*")]
    assert [line for line in _lines(again) if not line.startswith("SE*")] == expected
    assert read_interchange(again).header.control_number == "000000555"


def test_response_sample_reads_as_a_pas_denial_with_its_parties():
    bundle = from_278_response(RESPONSE.read_text())
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["ClaimResponse", "Patient", "Organization", "PractitionerRole", "Practitioner"]
    claim_response = bundle["entry"][0]["resource"]
    assert claim_response["preAuthRef"] == "ADM2025021400017"
    assert [n["text"][:20] for n in claim_response["processNote"]] == ["NOT MEDICALLY NECESS", "MRI LUMBAR SPINE WIT"]
    assert claim_response["item"][0]["noteNumber"] == [2]
    assert claim_response["requestor"] == {"reference": "PractitionerRole/npi-1234567893-207X00000X"}

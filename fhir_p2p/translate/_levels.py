"""FHIR to the 278 hierarchy above the event: 2000A/2010A UMO, 2000B/2010B requester, 2000C/2010C subscriber.

Each function takes the Reference it starts from and that Reference's FHIRPath (`ClaimResponse.insurer`,
`Task.owner`, ...), so the response and the request mappings share them.
"""

from __future__ import annotations

from fhir_p2p.resources.pas import (
    NPI_SYSTEM,
    NUCC_SYSTEM,
    P2P_CONTACT,
    PAYER_ID_SYSTEM,
    Json,
    extensions,
    first_code,
    identifier_of,
)
from fhir_p2p.translate._parties import contact_per, demographics, organization_nm1, person_nm1
from fhir_p2p.translate._report import COARSER, Report
from fhir_p2p.translate.context import Resources
from fhir_p2p.x12 import Segment
from fhir_p2p.x12.x217.segments import PrvSegment

_X12_ENTITY = "https://codesystem.x12.org/005010/98"


def umo_name(reference: Json | None, path: str, resources: Resources, report: Report) -> list[Segment]:
    """2010A NM1*X3 for the payer Organization `reference` names (payer id as PI, else NPI as XX)."""
    insurer = resources.resolve(reference, "Organization")
    if insurer is None:
        report.missing(path, "the payer Organization is required for 2010A")
        return []
    payer_id = identifier_of(insurer, PAYER_ID_SYSTEM) or identifier_of(insurer, type_code="NIIP")
    npi = identifier_of(insurer, NPI_SYSTEM)
    if not payer_id and not npi:
        report.missing(f"{path}.identifier", "the payer needs a payer id or an NPI for NM109")
    qualifier, identifier = ("PI", payer_id) if payer_id else ("XX", npi or "")
    return [organization_nm1("X3", insurer, "Organization", qualifier, identifier, report)]


def umo_contacts(claim_response: Json, report: Report) -> list[Segment]:
    """2010A PER (response only): one per p2p-contact extension, three at most."""
    segments: list[Segment] = []
    for index, ext in enumerate(extensions(claim_response, P2P_CONTACT)):
        path = f"ClaimResponse.extension('{P2P_CONTACT}')[{index}]"
        per = contact_per(ext.get("valueContactPoint", {}), f"{path}.value", report) if index < 3 else None
        if index >= 3:
            report.not_carried(path)
        if per is not None:
            segments.append(per)
    return segments


def requester_name(
    reference: Json | None, path: str, resources: Resources, report: Report, provider_code: str = "OR"
) -> list[Segment]:
    """2010B: NM1*1P (or FA) with NPI for the requester; PRV `provider_code`*PXC with the NUCC taxonomy
    of a PractitionerRole (its first NUCC specialty)."""
    requestor = resources.resolve(reference, "Practitioner", "PractitionerRole", "Organization")
    if requestor is None:
        report.missing(path, "the requester is required for 2010B")
        return []
    kind = requestor["resourceType"]
    if kind == "Organization":
        npi = identifier_of(requestor, NPI_SYSTEM)
        entity = "FA" if any(first_code(t, _X12_ENTITY) == "FA" for t in requestor.get("type", [])) else "1P"
        segments: list[Segment] = [organization_nm1(entity, requestor, "Organization", "XX", npi or "", report)]
    else:
        role = requestor if kind == "PractitionerRole" else None
        person = resources.resolve(role.get("practitioner"), "Practitioner") if role else requestor
        if person is None:
            report.missing("PractitionerRole.practitioner", "the requester's Practitioner is required for NM1")
            return []
        npi = identifier_of(person, NPI_SYSTEM) or (identifier_of(role, NPI_SYSTEM) if role else None)
        segments = [person_nm1("1P", person, "Practitioner", "XX", npi or "", report)]
        taxonomy = next((c for s in (role or {}).get("specialty", []) if (c := first_code(s, NUCC_SYSTEM))), None)
        if taxonomy:
            segments.append(PrvSegment.of(provider_code=provider_code, reference_qualifier="PXC", taxonomy=taxonomy))
        elif role:
            report.warn(
                COARSER, "PractitionerRole.specialty", "no NUCC specialty: the role is sent as its Practitioner"
            )
    if not npi:
        report.missing(f"{kind}.identifier", "the requester needs an NPI for NM109")
    return segments


def subscriber_name(
    reference: Json | None, path: str, claim: Json | None, resources: Resources, report: Report
) -> list[Segment]:
    """2010C: NM1*IL for the Patient `reference` names, with the member id (Coverage.subscriberId, a
    member-number identifier) and DMG. The Coverage is the Claim's focal one, else the patient's."""
    patient = resources.resolve(reference, "Patient")
    if patient is None or reference is None:
        report.missing(path, "the Patient is required for 2010C")
        return []
    coverage = _coverage(reference, claim, resources)
    subscriber = (coverage or {}).get("subscriber", {}).get("reference")
    if subscriber and subscriber != reference.get("reference"):
        report.unsupported("Coverage.subscriber", "a patient who is not the subscriber (2000D) is not mapped yet")
    member_id = (
        (coverage or {}).get("subscriberId")
        or (identifier_of(coverage, type_code="MB") if coverage else None)
        or identifier_of(patient, type_code="MB")
    )
    if not member_id:
        report.missing("Coverage.subscriberId", "a member id (Coverage.subscriberId or a MB identifier) is required")
    segments: list[Segment] = [person_nm1("IL", patient, "Patient", "MI", member_id or "", report)]
    dmg = demographics(patient, "Patient", report)
    return [*segments, dmg] if dmg else segments


def _coverage(patient: Json, claim: Json | None, resources: Resources) -> Json | None:
    """The focal Coverage of the Claim, else a Coverage whose beneficiary is the patient."""
    insurances = sorted((claim or {}).get("insurance", []), key=lambda i: not i.get("focal"))
    for insurance in insurances:
        found = resources.resolve(insurance.get("coverage"), "Coverage")
        if found:
            return found
    return resources.find("Coverage", lambda c: c.get("beneficiary", {}).get("reference") == patient.get("reference"))

"""Supporting documents both ways: a DocumentReference ⇄ PWK (PWK01 report type 755, PWK02
transmission 756, PWK05 `AC` + PWK06 attachment control number, PWK07 description)."""

from __future__ import annotations

from fhir_p2p.resources.pas import REPORT_TYPE_SYSTEM, TRANSMISSION_SYSTEM, Json, first_code
from fhir_p2p.translate._parties import fhir_id
from fhir_p2p.translate._read_parties import elements
from fhir_p2p.translate._report import DEFAULTED, Report
from fhir_p2p.x12 import Segment
from fhir_p2p.x12.x217.codes import AttachmentTransmission
from fhir_p2p.x12.x217.segments import PwkSegment

_LOINC = "http://loinc.org"
# LOINC document types with an obvious X12 755 report type; others need a 755 coding (else OZ)
_REPORT_TYPES = {
    "11506-3": "09",  # progress note -> progress report
    "18842-5": "DS",  # discharge summary
    "11504-8": "OB",  # surgical operation note -> operative note
    "11502-2": "LA",  # laboratory report -> laboratory results
    "11526-1": "P4",  # pathology study -> pathology report
    "18748-4": "RR",  # diagnostic imaging study -> radiology reports
    "34746-8": "NN",  # nurse note -> nursing notes
    "11488-4": "PY",  # consult note -> physician's report
    "34117-2": "P5",  # history and physical note -> patient medical history document
}
DEFAULT_REPORT_TYPE = "OZ"  # support data for claim
DEFAULT_TRANSMISSION = "EL"  # electronically only: a DocumentReference is electronic
_TRANSMISSIONS = frozenset(AttachmentTransmission)


def document_pwk(document: Json, path: str, report: Report) -> PwkSegment:
    """PWK for a DocumentReference: report type from a 755 coding of `type`/`category` (else the LOINC
    table, else OZ, x12map-007), transmission from a 756 `category` coding (else EL), control number
    from `masterIdentifier`, `identifier[0]` or the id, PWK07 from `description`."""
    concepts = [document.get("type"), *document.get("category", [])]
    report_type = next((c for concept_ in concepts if (c := first_code(concept_, REPORT_TYPE_SYSTEM))), None)
    if report_type is None or len(report_type) != 2:
        loinc = first_code(document.get("type"), _LOINC)
        report_type = _REPORT_TYPES.get(loinc or "")
    if report_type is None:
        report_type = DEFAULT_REPORT_TYPE
        report.warn(DEFAULTED, f"{path}.type", f"{path}.type has no X12 755 report type: PWK01 is sent as OZ")
    transmission = next(
        (c for concept_ in document.get("category", []) if (c := first_code(concept_, TRANSMISSION_SYSTEM))), ""
    )
    identifiers = [document.get("masterIdentifier") or {}, *document.get("identifier", [])]
    control = next((str(i["value"]) for i in identifiers if i.get("value")), str(document.get("id", "")))
    control = report.text(control, f"{path}.identifier", 80)
    description = report.text(str(document.get("description", "")), f"{path}.description", 80)
    return PwkSegment.of(
        report_type=report_type,
        transmission=transmission if transmission in _TRANSMISSIONS else DEFAULT_TRANSMISSION,
        id_qualifier="AC" if len(control) > 1 else "",
        attachment_id=control if len(control) > 1 else "",
        description=description,
    )


def pwk_document(pwk: Segment, number: int, owner: str, subject: Json) -> Json:
    """The DocumentReference a PWK of a checked 278 describes (id from the control number, else
    `{owner}-document-{number}`); R4 requires a content, so its attachment's title is PWK07, else
    PWK06, else PWK01."""
    report_type, transmission, _, _, _, control, description = elements(pwk, 7)
    document: Json = {
        "resourceType": "DocumentReference",
        "id": fhir_id("attachment", control) if control else fhir_id(owner, f"document-{number}"),
        "identifier": [{"value": control}],
        "status": "current",
        "type": {"coding": [{"system": REPORT_TYPE_SYSTEM, "code": report_type}]},
        "category": [{"coding": [{"system": TRANSMISSION_SYSTEM, "code": transmission}]}],
        "subject": dict(subject),
        "description": description,
        "content": [{"attachment": {"title": description or control or report_type}}],
    }
    if not control:
        del document["identifier"]
    if not description:
        del document["description"]
    return document

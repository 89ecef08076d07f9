"""A checked 278 response read into FHIR: the ClaimResponse and the parties it references."""

from __future__ import annotations

from fhir_p2p.errors import Issue, Unprocessable
from fhir_p2p.translate._decision import PARTIAL
from fhir_p2p.translate._parties import fhir_id, from_contact_per, from_demographics, human_name
from fhir_p2p.translate._pas import (
    ACTION_SYSTEM,
    ADJUDICATION,
    ADMINISTRATION_REFERENCE,
    CLAIM_TYPE,
    ITEM_PRE_AUTH_PERIOD,
    NPI_SYSTEM,
    NUCC_SYSTEM,
    P2P_CONTACT,
    PAS_CLAIM_RESPONSE,
    PAYER_ID_SYSTEM,
    REASON_SYSTEM,
    REVIEW_ACTION,
    REVIEW_ACTION_CODE,
    TRN_ORG,
    V2_0203,
    Json,
    concept,
)
from fhir_p2p.x12 import Loop, check_interchange
from fhir_p2p.x12.x217.codes import LoopId
from fhir_p2p.x12.x217.segments import (
    BhtSegment,
    DmgSegment,
    DtpSegment,
    HcrSegment,
    MsgSegment,
    Nm1Segment,
    PerSegment,
    PrvSegment,
    RefSegment,
    TrnSegment,
    UmSegment,
)


def read_response(text: str) -> Json:
    """The collection Bundle for the first transaction of a 278 response (see `from_278_response`)."""
    report = check_interchange(text)
    transactions = report.transactions
    if not report.accepted or not transactions:
        raise Unprocessable("the 278 response is not valid", issues=report.to_issues())
    tree = transactions[0].tree
    bht = tree.first(BhtSegment) if tree else None
    if tree is None or bht is None or bht.purpose != "11":
        raise Unprocessable("not a 278 response", issues=[Issue("error", "value", "BHT02 is not 11", "BHT02")])
    umo, contacts = _umo(_loop(tree, LoopId.UMO_NAME))
    requester = _requester(_loop(tree, LoopId.REQUESTER_NAME))
    patient = _patient(_loop(tree, LoopId.SUBSCRIBER_NAME))
    event = _loop(tree, LoopId.PATIENT_EVENT)
    claim_response = _claim_response(event, bht, patient, umo, requester[0])
    if contacts:
        claim_response["extension"] = [{"url": P2P_CONTACT, "valueContactPoint": c} for c in contacts]
    resources = [claim_response, patient, umo, *requester]
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def _loop(tree: Loop, loop_id: str) -> Loop:
    found = tree.find(loop_id)
    assert found is not None, f"a checked 278 response has {loop_id}"
    return found


def _name_nm1(loop: Loop) -> Nm1Segment:
    nm1 = loop.first(Nm1Segment)
    assert nm1 is not None, "a checked name loop starts with NM1"
    return nm1


def _ref(resource: Json) -> Json:
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


def _umo(loop: Loop) -> tuple[Json, list[Json]]:
    """2010A: the UMO Organization and the ContactPoints of its PERs."""
    nm1 = _name_nm1(loop)
    if nm1.id_qualifier == "PI":
        ident: Json = {"type": concept(V2_0203, "NIIP"), "system": PAYER_ID_SYSTEM, "value": nm1.identifier}
        org_id = fhir_id("payer", nm1.identifier)
    else:
        ident = {"system": NPI_SYSTEM, "value": nm1.identifier}
        org_id = fhir_id("npi", nm1.identifier)
    organization = {"resourceType": "Organization", "id": org_id, "identifier": [ident]}
    organization["name"] = nm1.last_or_organization_name
    contacts = [c for per in loop.all(PerSegment) if (c := from_contact_per(per))]
    return organization, contacts


def _requester(loop: Loop) -> list[Json]:
    """2010B: the requestor first (Organization, Practitioner or PractitionerRole), then its Practitioner."""
    nm1 = _name_nm1(loop)
    npi = {"system": NPI_SYSTEM, "value": nm1.identifier}
    if nm1.entity_type == "2":
        org: Json = {"resourceType": "Organization", "id": fhir_id("npi", nm1.identifier), "identifier": [npi]}
        if nm1.entity_code == "FA":
            org["type"] = [concept("https://codesystem.x12.org/005010/98", "FA")]
        org["name"] = nm1.last_or_organization_name
        return [org]
    practitioner = {"resourceType": "Practitioner", "id": fhir_id("npi", nm1.identifier), "identifier": [npi]}
    practitioner["name"] = [human_name(nm1)]
    prv = loop.first(PrvSegment)
    if prv is None:
        return [practitioner]
    role = {
        "resourceType": "PractitionerRole",
        "id": fhir_id("npi", f"{nm1.identifier}-{prv.taxonomy}"),
        "practitioner": _ref(practitioner),
        "specialty": [concept(NUCC_SYSTEM, prv.taxonomy)],
    }
    return [role, practitioner]


def _patient(loop: Loop) -> Json:
    """2010C: the subscriber as the Patient, with the member id."""
    nm1 = _name_nm1(loop)
    patient: Json = {
        "resourceType": "Patient",
        "id": fhir_id("member", nm1.identifier),
        "identifier": [{"type": concept(V2_0203, "MB"), "value": nm1.identifier}],
        "name": [human_name(nm1)],
    }
    return patient | from_demographics(loop.first(DmgSegment))


def _claim_response(event: Loop, bht: BhtSegment, patient: Json, umo: Json, requestor: Json) -> Json:
    """2000E and its 2000F levels as the ClaimResponse."""
    um = event.first(UmSegment)
    hcr = event.first(HcrSegment)
    pre_auth = event.first(RefSegment, "NT")
    issued = event.first(DtpSegment, "102")
    created = _date(issued) if issued else f"{bht.date[:4]}-{bht.date[4:6]}-{bht.date[6:8]}"
    claim_response: Json = {
        "resourceType": "ClaimResponse",
        "id": fhir_id("x12", pre_auth.identification if pre_auth else bht.reference),
        "meta": {"profile": [PAS_CLAIM_RESPONSE]},
        "status": "active",
        "type": concept(CLAIM_TYPE, "institutional" if um and um.request_category == "AR" else "professional"),
        "use": "preauthorization",
        "patient": _ref(patient),
        "created": created,
        "insurer": _ref(umo),
        "requestor": _ref(requestor),
        "outcome": "partial" if hcr and hcr.action_code in PARTIAL else "complete",
    }
    for trn in event.all(TrnSegment):
        ident = {"system": f"{TRN_ORG}{trn.originator}", "value": trn.trace_number}
        if trn.trace_type == "1":
            claim_response.setdefault("identifier", []).append(ident)
        else:
            claim_response["request"] = {"identifier": ident}
    if pre_auth:
        claim_response["preAuthRef"] = pre_auth.identification
    period = _period(event)
    if period:
        claim_response["preAuthPeriod"] = period
    notes: list[str] = []
    message = event.first(MsgSegment)
    if message:
        notes.append(message.text)
    items = [_item(service, n, notes) for n, service in enumerate(event.children(LoopId.SERVICE), 1)]
    if items:
        claim_response["item"] = items
    if notes:
        claim_response["processNote"] = [{"number": n, "type": "display", "text": t} for n, t in enumerate(notes, 1)]
    return claim_response


def _item(service: Loop, sequence: int, notes: list[str]) -> Json:
    """One 2000F as a ClaimResponse.item; its MSG joins `notes` (the same text is one note)."""
    item: Json = {"itemSequence": sequence}
    extensions: list[Json] = []
    reference = service.first(RefSegment, "NT")
    if reference:
        extensions.append({"url": ADMINISTRATION_REFERENCE, "valueString": reference.identification})
    period = _period(service)
    if period:
        extensions.append({"url": ITEM_PRE_AUTH_PERIOD, "valuePeriod": period})
    if extensions:
        item["extension"] = extensions
    message = service.first(MsgSegment)
    if message:
        if message.text not in notes:
            notes.append(message.text)
        item["noteNumber"] = [notes.index(message.text) + 1]
    adjudication: Json = {"category": concept(ADJUDICATION, "submitted")}
    hcr = service.first(HcrSegment)
    if hcr:
        parts: list[Json] = []
        if hcr.review_number:
            parts.append({"url": "number", "valueString": hcr.review_number})
        parts.append({"url": REVIEW_ACTION_CODE, "valueCodeableConcept": concept(ACTION_SYSTEM, hcr.action_code)})
        if hcr.reason_code:
            parts.append({"url": "reasonCode", "valueCodeableConcept": concept(REASON_SYSTEM, hcr.reason_code)})
        adjudication["extension"] = [{"url": REVIEW_ACTION, "extension": parts}]
    item["adjudication"] = [adjudication]
    return item


def _date(dtp: DtpSegment) -> str:
    day = dtp.period[:8]
    return f"{day[:4]}-{day[4:6]}-{day[6:8]}"


def _period(loop: Loop) -> Json:
    """A Period from DTP*007 (start) and DTP*036 (end)."""
    period: Json = {}
    for qualifier, key in (("007", "start"), ("036", "end")):
        dtp = loop.first(DtpSegment, qualifier)
        if dtp:
            period[key] = _date(dtp)
    return period

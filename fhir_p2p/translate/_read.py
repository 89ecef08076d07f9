"""A checked 278 response read into FHIR: the ClaimResponse (decision levels and AAA errors) and the parties."""

from __future__ import annotations

from fhir_p2p.resources.pas import (
    ACTION_SYSTEM,
    ADJUDICATION,
    ADMINISTRATION_REFERENCE,
    CLAIM_TYPE,
    ITEM_PRE_AUTH_PERIOD,
    P2P_CONTACT,
    PAS_CLAIM_RESPONSE,
    REASON_SYSTEM,
    REVIEW_ACTION,
    REVIEW_ACTION_CODE,
    TRN_ORG,
    Json,
    concept,
)
from fhir_p2p.translate._aaa import read_errors
from fhir_p2p.translate._decision import PARTIAL
from fhir_p2p.translate._parties import fhir_id
from fhir_p2p.translate._read_parties import (
    Levels,
    collection,
    dtp_date,
    first_tree,
    patient,
    ref,
    requester,
    umo,
    x12_date,
)
from fhir_p2p.x12 import Loop
from fhir_p2p.x12.x217.codes import LoopId
from fhir_p2p.x12.x217.segments import (
    BhtSegment,
    DtpSegment,
    HcrSegment,
    MsgSegment,
    RefSegment,
    TrnSegment,
    UmSegment,
)


def read_response(text: str) -> Json:
    """The collection Bundle for the first transaction of a 278 response (see `from_278_response`)."""
    return response_bundle(first_tree(text, "11"))


def response_bundle(tree: Loop) -> Json:
    """The collection Bundle of one checked 278 response transaction set: ClaimResponse, Patient, the
    UMO Organization and the requester (Practitioner, PractitionerRole or Organization)."""
    levels = Levels.of(tree)
    organization, contacts = umo(levels.umo)
    parties = requester(levels.requester)
    subject = patient(levels.subscriber)
    claim_response = _claim_response(levels.event, levels.bht, subject, organization, parties[0])
    if contacts:
        claim_response["extension"] = [{"url": P2P_CONTACT, "valueContactPoint": c} for c in contacts]
    errors = read_errors(tree)
    if errors:
        claim_response["error"] = errors
        if "HCR" not in (s.id for s in levels.event.segments):
            claim_response["outcome"] = "error"
    return collection([claim_response, subject, organization, *parties])


def _claim_response(event: Loop, bht: BhtSegment, patient: Json, umo: Json, requestor: Json) -> Json:
    """2000E and its 2000F levels as the ClaimResponse."""
    um = event.first(UmSegment)
    hcr = event.first(HcrSegment)
    pre_auth = event.first(RefSegment, "NT")
    issued = event.first(DtpSegment, "102")
    created = dtp_date(issued) if issued else x12_date(bht.date)
    claim_response: Json = {
        "resourceType": "ClaimResponse",
        "id": fhir_id("x12", pre_auth.identification if pre_auth else bht.reference),
        "meta": {"profile": [PAS_CLAIM_RESPONSE]},
        "status": "active",
        "type": concept(CLAIM_TYPE, "institutional" if um and um.request_category == "AR" else "professional"),
        "use": "preauthorization",
        "patient": ref(patient),
        "created": created,
        "insurer": ref(umo),
        "requestor": ref(requestor),
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


def _period(loop: Loop) -> Json:
    """A Period from DTP*007 (start) and DTP*036 (end)."""
    period: Json = {}
    for qualifier, key in (("007", "start"), ("036", "end")):
        dtp = loop.first(DtpSegment, qualifier)
        if dtp:
            period[key] = dtp_date(dtp)
    return period

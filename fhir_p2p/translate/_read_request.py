"""A checked 278 request read into FHIR: UM02 S → a p2p-request Task, 1/2 → a p2p-appeal Task, I →
a PAS-shaped Claim (with its Coverage); each with the Patient, the UMO Organization and the requester."""

from __future__ import annotations

from datetime import datetime, tzinfo

from fhir_p2p.errors import Issue, Unprocessable
from fhir_p2p.resources.pas import (
    CLAIM_TYPE,
    INPUT_SYSTEM,
    NUCC_SYSTEM,
    P2P_APPEAL,
    P2P_REQUEST,
    PROCESS_PRIORITY,
    ROLE_SYSTEM,
    TASK_CODE_SYSTEM,
    TRN_ORG,
    Json,
    concept,
)
from fhir_p2p.translate._documents import pwk_document
from fhir_p2p.translate._message import DEFAULT_ROLE, read_item, read_preamble
from fhir_p2p.translate._parties import fhir_id, from_contact_per
from fhir_p2p.translate._read_parties import Levels, collection, patient, ref, requester, umo, x12_date
from fhir_p2p.translate._report import MISSING, UNSUPPORTED
from fhir_p2p.translate._service_line import read_diagnoses
from fhir_p2p.translate._service_line import read_item as read_claim_item
from fhir_p2p.x12 import Loop, Segment
from fhir_p2p.x12.x217.codes import LoopId
from fhir_p2p.x12.x217.segments import BhtSegment, PerSegment, UmSegment

_ROLES_BY_PROVIDER_CODE = {"OR": "ordering-physician", "CV": "covering-physician"}  # PRV01


def request_bundle(tree: Loop, zone: tzinfo | None) -> Json:
    """The collection Bundle of one checked 278 request transaction set (see `from_278_request`).

    Raises:
        Unprocessable: UM02 is not S, 1, 2 or I (x12map-006), or a review names no denial (x12map-004).
    """
    levels = Levels.of(tree)
    um = levels.segments["UM"][0]  # required
    certification = um.element(2)
    if certification == "I":
        return _claim_bundle(levels, zone)
    if certification in ("S", "1", "2"):
        return _task_bundle(levels, certification, zone)
    message = f"UM02 {certification}: only S (P2P), 1/2 (appeal) and I (new request) are mapped"
    raise Unprocessable(message, issues=[Issue("error", "not-supported", message, "2000E/UM02", UNSUPPORTED)])


def _when(bht: BhtSegment, zone: tzinfo | None) -> str:
    """BHT04/05: the date, or with `zone` the dateTime in it."""
    day = bht.element(4)
    if zone is None:
        return x12_date(day)
    time = bht.element(5)
    moment = datetime(int(day[:4]), int(day[4:6]), int(day[6:8]), int(time[:2]), int(time[2:4]), tzinfo=zone)
    return moment.isoformat()


def _traces(segments: dict[str, list[Segment]]) -> list[Json]:
    """Identifiers from the TRN*1 traces (`urn:trnorg:{TRN03}`)."""
    return [{"system": f"{TRN_ORG}{t.element(3)}", "value": t.element(2)} for t in segments.get("TRN", ())]


def _id(levels: Levels, traces: list[Json]) -> str:
    """The id of the Task or Claim: from the TRN*1 trace number, else BHT03."""
    return fhir_id("x12", traces[0]["value"] if traces else levels.bht.element(3))


def _reference(segments: dict[str, list[Segment]]) -> str:
    """The denial a request for review names: 2000E REF*NT, else REF*BB.

    Raises:
        Unprocessable: neither is there (x12map-004).
    """
    found = {s.element(1): s.element(2) for s in segments.get("REF", ())}
    if "NT" in found or "BB" in found:
        return found.get("NT") or found["BB"]
    message = "a request for review names the denial in 2000E REF*NT (or REF*BB)"
    raise Unprocessable(message, issues=[Issue("error", "required", message, "2000E/REF", MISSING)])


def _task_bundle(levels: Levels, certification: str, zone: tzinfo | None) -> Json:
    segments = levels.segments
    reference = _reference(segments)
    organization, _ = umo(levels.umo)
    parties = requester(levels.requester)
    subject = patient(levels.subscriber)
    notes = segments.get("MSG")
    preamble = read_preamble(notes[0].element(1) if notes else "")
    appeal = "external-review" if preamble.kind == "external-review" else "internal-appeal"
    kind = "peer-to-peer-review" if certification == "S" else appeal
    traces = _traces(segments)
    task: Json = {
        "resourceType": "Task",
        "id": _id(levels, traces),
        "meta": {"profile": [P2P_REQUEST if kind == "peer-to-peer-review" else P2P_APPEAL]},
        "identifier": traces,
        "status": "requested",
        "intent": "order",
        "priority": preamble.priority or ("urgent" if certification == "1" else "routine"),
        "code": concept(TASK_CODE_SYSTEM, kind),
        "focus": {"type": "ClaimResponse", "identifier": {"value": reference}},
        "for": ref(subject),
        "authoredOn": _when(levels.bht, zone),
        "requester": ref(parties[0]),
        "owner": ref(organization),
    }
    if not traces:
        del task["identifier"]
    prv = next((s for s in levels.requester.segments if s.id == "PRV"), None)
    role = preamble.role or _ROLES_BY_PROVIDER_CODE.get(prv.element(1) if prv else "", DEFAULT_ROLE)
    inputs = [_input("requester-role", "valueCodeableConcept", concept(ROLE_SYSTEM, role))]
    callback = _callback(levels.event, levels.requester)
    if callback:
        inputs.append(_input("callback", "valueContactPoint", callback))
    if preamble.specialty:
        inputs.append(_input("requested-specialty", "valueCodeableConcept", concept(NUCC_SYSTEM, preamble.specialty)))
    if preamble.rationale:
        inputs.append(_input("clinical-rationale", "valueString", preamble.rationale))
    subject_ref = ref(subject)
    documents = [pwk_document(p, n, task["id"], subject_ref) for n, p in enumerate(segments.get("PWK", ()), 1)]
    if len({d["id"] for d in documents}) < len(documents):  # the same control number twice
        for number, found in enumerate(documents, 1):
            found["id"] = fhir_id(task["id"], f"document-{number}")
    inputs += [_input("supporting-info", "valueReference", ref(d)) for d in documents]
    for position, service in enumerate((c for c in levels.event.loops if c.id == LoopId.SERVICE), 1):
        named = next((s.element(1) for s in service.segments if s.id == "MSG"), None)
        inputs.append(_input("denied-item", "valuePositiveInt", (read_item(named) if named else None) or position))
    task["input"] = inputs
    return collection([task, subject, organization, *parties, *documents])


def _input(code: str, key: str, value: object) -> Json:
    """A Task.input of the p2p-input `code` with its value[x] `key`."""
    return {"type": {"coding": [{"system": INPUT_SYSTEM, "code": code}]}, key: value}


def _callback(event: Loop, requester_name: Loop) -> Json | None:
    """The first number of the first 2010EA PER, else of the 2010B PER."""
    for provider in event.loops:
        if provider.id == LoopId.EVENT_PROVIDER:
            per = next((s for s in provider.segments if s.id == "PER"), None)
            if per is not None:
                return from_contact_per(PerSegment.cast(per))
    per = next((s for s in requester_name.segments if s.id == "PER"), None)
    return from_contact_per(PerSegment.cast(per)) if per else None


def _claim_bundle(levels: Levels, zone: tzinfo | None) -> Json:
    """UM02 I: a new prior-authorization request as a minimal PAS-shaped Claim and its Coverage."""
    event = levels.event
    organization, _ = umo(levels.umo)
    parties = requester(levels.requester)
    subject = patient(levels.subscriber)
    member = subject["identifier"][0]["value"]
    coverage: Json = {
        "resourceType": "Coverage",
        "id": fhir_id("coverage", member),
        "status": "active",
        "subscriber": ref(subject),
        "subscriberId": member,
        "beneficiary": ref(subject),
        "payor": [ref(organization)],
    }
    um = event.first(UmSegment)
    traces = _traces(levels.segments)
    claim: Json = {"resourceType": "Claim", "id": _id(levels, traces)}
    if traces:
        claim["identifier"] = traces
    urgent = um is not None and um.level_of_service in ("03", "U")  # UM06 emergency, urgent
    claim |= {
        "status": "active",
        "type": concept(CLAIM_TYPE, "institutional" if um and um.request_category == "AR" else "professional"),
        "use": "preauthorization",
        "patient": ref(subject),
        "created": _when(levels.bht, zone),
        "insurer": ref(organization),
        "provider": ref(parties[0]),
        "priority": concept(PROCESS_PRIORITY, "stat" if urgent else "normal"),
        "insurance": [{"sequence": 1, "focal": True, "coverage": ref(coverage)}],
    }
    diagnoses = read_diagnoses(event)
    if diagnoses:
        claim["diagnosis"] = diagnoses
    items = [i for s in event.children(LoopId.SERVICE) if (i := read_claim_item(s))]
    if items:
        claim["item"] = [{"sequence": n, **i} for n, i in enumerate(items, 1)]
    return collection([claim, coverage, subject, organization, *parties])

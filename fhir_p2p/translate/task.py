"""P2P / appeal Task ⇄ 005010X217 278 request (BHT02 `13`); the field table is `docs/x12-mapping.md`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from fhir_p2p.errors import Issue, Unprocessable, raise_on_errors
from fhir_p2p.resources.pas import Json
from fhir_p2p.translate._envelope import X12Envelope, wall_time, write_interchange
from fhir_p2p.translate._levels import requester_name, subscriber_name, umo_name
from fhir_p2p.translate._read_parties import first_tree
from fhir_p2p.translate._read_request import request_bundle
from fhir_p2p.translate._report import COARSER, Report
from fhir_p2p.translate._request import TaskRequest, task_kind
from fhir_p2p.translate.claim_response import X12Translation
from fhir_p2p.translate.context import Resources
from fhir_p2p.x12 import HlLevel, Party


@dataclass(frozen=True, slots=True)
class RequestEnvelope(X12Envelope):
    """Interchange header values for a translated 278 request: from the requester side (ISA06) to the
    UMO (ISA08); `created` defaults to Task.authoredOn (its wall time), `reference` to the Task id.
    BHT04/05 carry Task.authoredOn whenever the Task has one (a date alone at `created`'s time of day)."""

    receiver: Party = field(default_factory=lambda: Party("ZZ", "UMO"))


def to_278_request(source: Mapping[str, Any], envelope: RequestEnvelope | None = None) -> X12Translation:
    """Translate a P2P or appeal Task and the resources it references to a 278 request.

    Args:
        source: a FHIR Bundle or a dict of resources (any keys) holding one Task (code
            peer-to-peer-review, internal-appeal or external-review), its Patient (`for`), requester
            Practitioner or PractitionerRole, owner Organization, and optionally the denial
            ClaimResponse (`focus`), its Claim, the Coverage and the supporting DocumentReferences.
        envelope: ISA/GS/BHT03 values; test defaults when not given.
    Returns:
        The interchange text and warning issues (FHIRPath expressions) for values not carried.
    Raises:
        Unprocessable: something the 278 requires is missing (x12map-004), or the Task is not a P2P
            or appeal Task (x12map-006); carries every issue found.
    """
    envelope = envelope or RequestEnvelope()
    resources = Resources.of(source)
    task = resources.find("Task", lambda t: task_kind(t) is not None) or resources.find("Task")
    if task is None:
        raise Unprocessable("no Task to translate", issues=[Issue("error", "required", "no Task")])
    report = Report()
    request = TaskRequest.of(task, resources, report)
    umo = HlLevel("20", umo_name(task.get("owner"), "Task.owner", resources, report))
    name = requester_name(task.get("requester"), "Task.requester", resources, report, request.provider_code)
    requester = umo.add("21", *name)
    patient = subscriber_name(task.get("for"), "Task.for", request.claim, resources, report)
    event = requester.add("22", *patient).add("EV", *request.event_segments(name, resources))
    for level in request.service_levels():
        event.add("SS", *level)
    authored = str(task.get("authoredOn", ""))
    if len(authored) > 10:
        report.warn(COARSER, "Task.authoredOn", "Task.authoredOn is sent as its wall time (BHT04/05), zone dropped")
    if not authored and envelope.created is None:
        report.missing("Task.authoredOn", "Task.authoredOn (or the envelope's time) is required for BHT04/05")
    warnings = raise_on_errors(report.issues, Unprocessable, "the Task cannot be sent as a 278 request")
    when = wall_time(authored, "Task.authoredOn") if authored or envelope.created is None else envelope.created
    if len(authored) == 10 and envelope.created is not None:  # a date: the envelope's time of day on it
        when = datetime.combine(when.date(), envelope.created.time())
    text = write_interchange(envelope, "13", str(task.get("id") or ""), when, umo)
    return X12Translation(text, warnings)


def from_278_request(text: str, *, zone: tzinfo | None = None) -> Json:
    """Read a 278 request into FHIR: a collection Bundle of the Task (p2p-request for UM02 S,
    p2p-appeal for 1/2) or, for UM02 I, a Claim and its Coverage; with the Patient, the UMO
    Organization, the requester and the supporting DocumentReferences.

    Args:
        text: a 005010X217 278 request interchange (its first transaction is read).
        zone: the zone of X12 times; Task.authoredOn / Claim.created are dates without it.
    Returns:
        A Bundle of type `collection`; the Task's focus is a logical reference to the denial
        (`identifier.value` = REF*NT, else REF*BB) that the server resolves.
    Raises:
        Unprocessable: the text is not a valid 278 request, or has nothing this mapping reads.
    """
    return request_bundle(first_tree(text, "13"), zone)

"""Denial ClaimResponse ⇄ 005010X217 278 response (BHT02 `11`); the field table is `docs/x12-mapping.md`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fhir_p2p.errors import Issue, Unprocessable, raise_on_errors
from fhir_p2p.translate._decision import event_segments, review_action, service_segments
from fhir_p2p.translate._levels import requester_name, subscriber_name, umo_name
from fhir_p2p.translate._pas import ADMINISTRATION_REFERENCE, ITEM_PRE_AUTH_PERIOD, P2P_CONTACT, REVIEW_ACTION, Json
from fhir_p2p.translate._read import read_response
from fhir_p2p.translate._report import Report
from fhir_p2p.translate.context import Resources
from fhir_p2p.x12 import Envelope, HlLevel, Party, build_interchange
from fhir_p2p.x12.x217.segments import BhtSegment

# Elements translated (or fixed by the p2p-denial profile, or metadata); every other one is reported.
_CLAIM_RESPONSE_KEYS = frozenset(
    {"resourceType", "id", "meta", "text", "status", "use", "type", "extension", "identifier", "patient", "created",
     "insurer", "requestor", "request", "outcome", "preAuthRef", "preAuthPeriod", "item", "processNote"}
)  # fmt: skip
_ITEM_KEYS = frozenset({"itemSequence", "noteNumber", "adjudication", "extension"})
_ITEM_EXTENSIONS = frozenset({ADMINISTRATION_REFERENCE, ITEM_PRE_AUTH_PERIOD})
_NOTE_KEYS = frozenset({"number", "type", "text"})  # a note reads back as `display`


@dataclass(frozen=True, slots=True)
class ResponseEnvelope:
    """Interchange header values for a translated 278 response."""

    sender: Party = field(default_factory=lambda: Party("ZZ", "FHIRP2P"))  # ISA06 / GS02: the UMO side
    receiver: Party = field(default_factory=lambda: Party("ZZ", "REQUESTER"))  # ISA08 / GS03
    control_number: int = 1  # ISA13 and GS06
    created: datetime | None = None  # ISA09/10, GS04/05, BHT04/05; ClaimResponse.created (its wall time) when None
    usage: str = "T"  # ISA15
    reference: str | None = None  # BHT03; the ClaimResponse id when None


@dataclass(frozen=True, slots=True)
class X12Translation:
    """A 278 interchange and the warnings about what it could not carry."""

    text: str
    issues: list[Issue]


def to_278_response(source: Mapping[str, Any], envelope: ResponseEnvelope | None = None) -> X12Translation:
    """Translate a denial ClaimResponse and the resources it references to a 278 response.

    Args:
        source: a FHIR Bundle or a dict of resources (any keys) holding one ClaimResponse, its
            Patient, insurer Organization, requestor, and optionally its Claim and Coverage.
        envelope: ISA/GS/BHT values; test defaults when not given.
    Returns:
        The interchange text and warning issues (FHIRPath expressions) for values not carried.
    Raises:
        Unprocessable: something the 278 requires is missing; carries every issue found.
    """
    envelope = envelope or ResponseEnvelope()
    resources = Resources.of(source)
    claim_response = resources.find("ClaimResponse")
    if claim_response is None:
        raise Unprocessable("no ClaimResponse to translate", issues=[Issue("error", "required", "no ClaimResponse")])
    report = Report()
    _report_unmapped(claim_response, report)
    items = claim_response.get("item", [])
    actions = [review_action(item, f"ClaimResponse.item[{i}]", report) for i, item in enumerate(items)]
    claim = resources.resolve(claim_response.get("request"), "Claim")
    umo = HlLevel("20", umo_name(claim_response, resources, report))
    requester = umo.add("21", *requester_name(claim_response, resources, report))
    subscriber = requester.add("22", *subscriber_name(claim_response, resources, report))
    event = subscriber.add("EV", *event_segments(claim_response, claim, [a for a in actions if a], report))
    notes = claim_response.get("processNote", [])
    for index, (item, action) in enumerate(zip(items, actions, strict=True)):
        event.add("SS", *service_segments(item, index, action, notes, report))
    warnings = raise_on_errors(report.issues, Unprocessable, "the ClaimResponse cannot be sent as a 278 response")
    created = envelope.created or _wall_time(str(claim_response.get("created", "")))
    bht = BhtSegment.of(
        structure_code="0007",
        purpose="11",
        reference=(envelope.reference or str(claim_response.get("id") or envelope.control_number))[:50],
        date=created.strftime("%Y%m%d"),
        time=created.strftime("%H%M"),
    )
    header = Envelope(envelope.sender, envelope.receiver, envelope.control_number, created, usage=envelope.usage)
    return X12Translation(build_interchange(header, [[bht, *umo.to_segments()]]).to_text(), warnings)


def from_278_response(text: str) -> Json:
    """Read a 278 response back into FHIR: a collection Bundle of ClaimResponse, Patient,
    the UMO Organization and the requester (Practitioner, PractitionerRole or Organization).

    Args:
        text: a 005010X217 278 response interchange (its first transaction is read).
    Returns:
        A Bundle of type `collection`; resource ids derive from the X12 identifiers.
    Raises:
        Unprocessable: the text is not a valid 278 response (with its X12 issues).
    """
    return read_response(text)


def _wall_time(created: str) -> datetime:
    try:
        return datetime.fromisoformat(created).replace(tzinfo=None)
    except ValueError:
        raise Unprocessable(
            "ClaimResponse.created is required",
            issues=[Issue("error", "required", "no created", "ClaimResponse.created")],
        ) from None


def _report_unmapped(claim_response: Json, report: Report) -> None:
    """Warn about each element of the ClaimResponse that the mapping does not carry."""
    for key in claim_response:
        if key not in _CLAIM_RESPONSE_KEYS:
            report.not_carried(f"ClaimResponse.{key}")
    for index, ext in enumerate(claim_response.get("extension", [])):
        if ext.get("url") != P2P_CONTACT:
            report.not_carried(f"ClaimResponse.extension[{index}]")
    for index, item in enumerate(claim_response.get("item", [])):
        path = f"ClaimResponse.item[{index}]"
        for key in item:
            if key not in _ITEM_KEYS:
                report.not_carried(f"{path}.{key}")
        for e, ext in enumerate(item.get("extension", [])):
            if ext.get("url") not in _ITEM_EXTENSIONS:
                report.not_carried(f"{path}.extension[{e}]")
        for a, adjudication in enumerate(item.get("adjudication", [])):
            for key in adjudication:
                if key not in ("category", "extension"):
                    report.not_carried(f"{path}.adjudication[{a}].{key}")
            for e, ext in enumerate(adjudication.get("extension", [])):
                if ext.get("url") != REVIEW_ACTION:
                    report.not_carried(f"{path}.adjudication[{a}].extension[{e}]")
    for index, note in enumerate(claim_response.get("processNote", [])):
        for key in note:
            if key not in _NOTE_KEYS or (key == "type" and note[key] != "display"):
                report.not_carried(f"ClaimResponse.processNote[{index}].{key}")

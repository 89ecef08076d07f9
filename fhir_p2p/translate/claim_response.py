"""Denial ClaimResponse ⇄ 005010X217 278 response (BHT02 `11`); the field table is `docs/x12-mapping.md`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fhir_p2p.errors import Issue, Unprocessable, raise_on_errors
from fhir_p2p.resources.pas import (
    ADMINISTRATION_REFERENCE,
    ITEM_PRE_AUTH_PERIOD,
    P2P_ASSESSMENT,
    P2P_CONTACT,
    P2P_ITEM_DECISION,
    REVIEW_ACTION,
    Json,
    policy_filled,
)
from fhir_p2p.translate._aaa import EVENT, place_errors, service_key
from fhir_p2p.translate._decision import event_segments, review_action, service_segments
from fhir_p2p.translate._envelope import X12Envelope, wall_time, write_interchange
from fhir_p2p.translate._levels import requester_name, subscriber_name, umo_contacts, umo_name
from fhir_p2p.translate._read import read_response
from fhir_p2p.translate._report import Report
from fhir_p2p.translate.context import Resources
from fhir_p2p.x12 import HlLevel

# Elements translated (or fixed by the p2p-denial profile, or metadata); every other one is reported.
_CLAIM_RESPONSE_KEYS = frozenset(
    {"resourceType", "id", "meta", "text", "status", "use", "type", "extension", "identifier", "patient", "created",
     "insurer", "requestor", "request", "outcome", "preAuthRef", "preAuthPeriod", "item", "processNote", "error"}
)  # fmt: skip
_ITEM_KEYS = frozenset({"itemSequence", "noteNumber", "adjudication", "extension"})
# The server's own extensions (workflow/denials.py) are not reported: the receiver can derive them again.
_ITEM_EXTENSIONS = frozenset({ADMINISTRATION_REFERENCE, ITEM_PRE_AUTH_PERIOD, P2P_ITEM_DECISION})
_NOTE_KEYS = frozenset({"number", "type", "text"})  # a note reads back as `display`


@dataclass(frozen=True, slots=True)
class ResponseEnvelope(X12Envelope):
    """Interchange header values for a translated 278 response: from the UMO side (ISA06) to the
    requester (ISA08); `created` defaults to ClaimResponse.created (its wall time), `reference` to its id."""


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
    aaa = place_errors(claim_response, report)
    name = umo_name(claim_response.get("insurer"), "ClaimResponse.insurer", resources, report)
    umo = HlLevel("20", [*aaa.get("2000A", []), *name, *umo_contacts(claim_response, report), *aaa.get("2010A", [])])
    name = requester_name(claim_response.get("requestor"), "ClaimResponse.requestor", resources, report)
    requester = umo.add("21", *name[:1], *aaa.get("2010B", []), *name[1:])
    name = subscriber_name(claim_response.get("patient"), "ClaimResponse.patient", claim, resources, report)
    subscriber = requester.add("22", *name[:1], *aaa.get("2010C", []), *name[1:])
    segments = event_segments(claim_response, claim, [a for a in actions if a], report)
    traces = sum(1 for s in segments if s.id == "TRN")
    event = subscriber.add("EV", *segments[:traces], *aaa.get(EVENT, []), *segments[traces:])
    notes = claim_response.get("processNote", [])
    for index, (item, action) in enumerate(zip(items, actions, strict=True)):
        event.add("SS", *aaa.get(service_key(index + 1), []), *service_segments(item, index, action, notes, report))
    warnings = raise_on_errors(report.issues, Unprocessable, "the ClaimResponse cannot be sent as a 278 response")
    created = envelope.created or wall_time(str(claim_response.get("created", "")), "ClaimResponse.created")
    text = write_interchange(envelope, "11", str(claim_response.get("id") or ""), created, umo)
    return X12Translation(text, warnings)


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


def _report_unmapped(claim_response: Json, report: Report) -> None:
    """Warn about each element of the ClaimResponse that the mapping does not carry; the server's assessment
    and what it filled in from the payer policy (derived, not the payer's) are not reported."""
    carried = {P2P_CONTACT, P2P_ASSESSMENT, *policy_filled(claim_response)}
    report.unmapped(claim_response, "ClaimResponse", _CLAIM_RESPONSE_KEYS, carried)
    for index, item in enumerate(claim_response.get("item", [])):
        path = f"ClaimResponse.item[{index}]"
        report.unmapped(item, path, _ITEM_KEYS, _ITEM_EXTENSIONS)
        for a, adjudication in enumerate(item.get("adjudication", [])):
            report.unmapped(adjudication, f"{path}.adjudication[{a}]", ("category", "extension"), (REVIEW_ACTION,))
    for index, note in enumerate(claim_response.get("processNote", [])):
        for key in note:
            if key not in _NOTE_KEYS or (key == "type" and note[key] != "display"):
                report.not_carried(f"ClaimResponse.processNote[{index}].{key}")

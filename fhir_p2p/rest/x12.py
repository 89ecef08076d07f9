"""X12 278 around the store: what an outbound 278 is built from and addressed with, and inbound 278s stored.

Outbound: the resources a denial or a P2P/appeal Task references (followed through relative
references), an envelope from the server's X12 identity with a stored control number, the wall
time in the configured zone. Inbound: the translated Bundles become one FHIR transaction, so the
transaction rules (all or nothing, `urn:uuid` rewriting, conditional create) apply as they do to
a client's: parties are matched by identifier, a P2P/appeal Task's denial by REF*NT.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fhir_p2p.config import Settings
from fhir_p2p.errors import Gone, Issue, NotFound, PreconditionFailed, Unprocessable, raise_on_errors
from fhir_p2p.resources.pas import NPI_SYSTEM, PAYER_ID_SYSTEM, identifier_of
from fhir_p2p.resources.types import is_stored_type
from fhir_p2p.rest import interactions, transaction
from fhir_p2p.rest.conformance import assigned_profile
from fhir_p2p.search.extract import reference_holders
from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.translate import (
    RequestEnvelope,
    Resources,
    ResponseEnvelope,
    X12Translation,
    to_278_request,
    to_278_response,
)
from fhir_p2p.x12 import Limits, Party, Report, acknowledge, check_interchange

Json = dict[str, Any]

_MAX_HOPS = 3  # Task -> ClaimResponse -> Claim -> Coverage
_SUBJECTS = frozenset({"ClaimResponse", "Task", "Claim"})  # what an inbound 278 is about; the rest are its parties
_MAX_RESOURCES = 200

# Rule ids of this module; last id used: x12in-003.


@dataclass(frozen=True, slots=True)
class X12Identity:
    """The server's side of every interchange it writes, and how it reads X12 times."""

    sender: Party
    usage: str
    zone: ZoneInfo

    @classmethod
    def of(cls, settings: Settings) -> X12Identity:
        return cls(
            Party(settings.x12_sender_qualifier, settings.x12_sender_id),
            settings.x12_usage,
            ZoneInfo(settings.x12_timezone),
        )

    def wall_time(self, now: datetime) -> datetime:
        """`now` as a zoneless wall time in the X12 zone (ISA09/10, GS04/05, BHT04/05)."""
        return now.astimezone(self.zone).replace(tzinfo=None, second=0, microsecond=0)

    @property
    def counter(self) -> str:
        """The control-number counter of this sender (`ISA05:ISA06`)."""
        return f"{self.sender.qualifier}:{self.sender.id}"


def referenced(uow: UnitOfWork, root: Json) -> dict[str, Json]:
    """`root` and the stored resources it reaches through relative references (`Type/id`), by `Type/id`.

    Follows at most three hops and 200 resources; missing and deleted targets are left out (the
    translation then reports what it lacks).
    """
    found: dict[str, Json] = {f"{root['resourceType']}/{root.get('id', '')}": root}
    frontier = [root]
    for _ in range(_MAX_HOPS):
        targets = {ref for resource in frontier for ref in _relative_references(resource)} - found.keys()
        frontier = []
        for target in sorted(targets)[: _MAX_RESOURCES - len(found)]:
            resource_type, _, resource_id = target.partition("/")
            try:
                resource = uow.read(resource_type, resource_id).as_dict()
            except (NotFound, Gone):
                continue
            found[target] = resource
            frontier.append(resource)
    return found


def translate_resources(resources: Mapping[str, Any], envelope: RequestEnvelope | ResponseEnvelope) -> X12Translation:
    """The 278 request (for a RequestEnvelope) or response built from `resources`.

    Args:
        resources: the subject and what it references: a Bundle or a dict of resources by any key.
        envelope: from `outbound_envelope`, which chose the kind by the subject.
    Raises:
        Unprocessable: the resources lack what the 278 requires.
    """
    if isinstance(envelope, RequestEnvelope):
        return to_278_request(resources, envelope)
    return to_278_response(resources, envelope)


def subject_of(body: Json) -> tuple[Json, Mapping[str, Any]]:
    """What a FHIR-to-278 translation of `body` sends, and the resources to build it from.

    Args:
        body: a Bundle (any type) or a single resource.
    Returns:
        The P2P/appeal Task in it, else its ClaimResponse; and `body` as a translation source.
    Raises:
        Unprocessable: there is neither.
    """
    is_bundle = body.get("resourceType") == "Bundle"
    pool = [e.get("resource") or {} for e in body.get("entry", [])] if is_bundle else [body]
    source: Mapping[str, Any] = body if is_bundle else {"subject": body}
    for wanted in ("Task", "ClaimResponse"):
        for resource in pool:
            if resource.get("resourceType") == wanted and (wanted != "Task" or _is_p2p_task(resource)):
                return resource, source
    message = "The body holds neither a P2P / appeal Task nor a ClaimResponse to translate"
    raise Unprocessable(message, issues=[Issue("error", "required", message, body.get("resourceType"), "x12in-001")])


def outbound_envelope(
    identity: X12Identity, resources: Mapping[str, Any], subject: Json, now: datetime, control_number: int
) -> RequestEnvelope | ResponseEnvelope:
    """The envelope of the 278 sending `subject`: a request for a P2P/appeal Task, a response for a ClaimResponse.

    From the server's X12 identity to the other party of the 278: for a response the requester (NPI),
    for a request the payer (payer id, else NPI); `ZZ` qualified, `UNKNOWN` when the resources do
    not say. Times are `now`'s wall time in the X12 zone.

    Raises:
        Unprocessable: the subject is neither (x12in-001).
    """
    values = (identity.sender, _receiver(resources, subject), control_number, identity.wall_time(now), identity.usage)
    if subject.get("resourceType") == "Task" and _is_p2p_task(subject):
        return RequestEnvelope(*values)
    if subject.get("resourceType") == "ClaimResponse":
        return ResponseEnvelope(*values)
    message = "Only a ClaimResponse or a P2P / appeal Task (SPEC §3) can be sent as a 278"
    raise Unprocessable(
        message, issues=[Issue("error", "not-supported", message, subject.get("resourceType"), "x12in-001")]
    )


def _receiver(source: Mapping[str, Any], subject: Json) -> Party:
    resources = Resources.of(source)
    party = resources.resolve(subject.get("owner" if subject.get("resourceType") == "Task" else "requestor")) or {}
    if party.get("resourceType") == "PractitionerRole":
        party = resources.resolve(party.get("practitioner")) or party
    found = identifier_of(party, PAYER_ID_SYSTEM) or identifier_of(party, NPI_SYSTEM) or "UNKNOWN"
    return Party("ZZ", found[:15])


def one_bundle(bundles: list[Json]) -> Json:
    """The answer to an X12-to-FHIR translation: the transaction's Bundle, or a collection of one per transaction."""
    if len(bundles) == 1:
        return bundles[0]
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": b} for b in bundles]}


def check_x12(text: str, settings: Settings) -> Report:
    """Check an inbound interchange within the configured size and segment limits (X12ReadError, X12TooLarge)."""
    return check_interchange(text, Limits(max_bytes=settings.max_body_bytes, max_segments=settings.x12_max_segments))


def acknowledgment(uow: UnitOfWork, identity: X12Identity, report: Report, now: datetime) -> str:
    """The TA1/999 answering `report`, with the sender's next control number."""
    number = uow.next_control_number(identity.counter)
    return acknowledge(report, control_number=number, now=identity.wall_time(now)).to_text()


def store_inbound(
    uow: UnitOfWork,
    bundles: Iterable[Json],
    profile_issues: Callable[[Json, str], list[Issue]],
    *,
    base: str,
    settings: Settings,
    prefer_return: str | None,
) -> Json:
    """Store the translated Bundles of an inbound 278 in `uow` as one transaction; its transaction-response.

    Raises:
        Unprocessable: a resource is not base FHIR or breaks a profile (`profile_issues(resource, path)`),
            or a Task's denial is unknown; nothing is stored (the caller's unit rolls back).
    """
    bundle = inbound_transaction(uow, bundles)
    invalid = transaction.check_entries(bundle)
    unprocessable = transaction.check_entry_profiles(bundle, profile_issues, skip=invalid)
    found = [issue for problems in (invalid, unprocessable) for issues in problems.values() for issue in issues]
    raise_on_errors(found, Unprocessable, "The 278 does not translate to resources this server accepts")
    return transaction.run_transaction(uow, bundle, base=base, settings=settings, prefer_return=prefer_return)


def inbound_transaction(uow: UnitOfWork, bundles: Iterable[Json]) -> Json:
    """One FHIR transaction Bundle storing the resources of translated 278s.

    A resource with an identifier (a ClaimResponse: its preAuthRef) is a conditional create on it,
    so a party or denial the server has is reused, not copied; one without is put under the id
    the translation derived from X12 values. A Task's denial, named by REF*NT, must be stored.
    The parties come first, so that the workflow rules of the ClaimResponse or Task (its payer's
    policy, found by the insurer Organization's payer id) see them stored.

    Raises:
        Unprocessable: a Task names a denial the server does not have (x12in-002) or several (x12in-003).
    """
    entries: list[Json] = []
    for bundle in bundles:
        resources = [e["resource"] for e in bundle.get("entry", []) if isinstance(e.get("resource"), dict)]
        resources.sort(key=lambda resource: resource["resourceType"] in _SUBJECTS)  # parties first (stable)
        urns = {_key(r): f"urn:uuid:{uuid.uuid4()}" for r in resources}
        for resource in resources:
            if resource["resourceType"] == "Task":
                _resolve_focus(uow, resource)
            _point_at(resource, urns)
            entries.append({"fullUrl": urns[_key(resource)], "resource": resource, "request": _request(resource)})
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _request(resource: Json) -> Json:
    resource_type = resource["resourceType"]
    criteria = _conditional_criteria(resource)
    if criteria is not None:
        resource.pop("id", None)
        return {"method": "POST", "url": resource_type, "ifNoneExist": criteria}
    return {"method": "PUT", "url": f"{resource_type}/{resource['id']}"}


def _conditional_criteria(resource: Json) -> str | None:
    if resource["resourceType"] == "ClaimResponse" and resource.get("preAuthRef"):
        return urlencode({"identifier": resource["preAuthRef"]})
    for ident in resource.get("identifier", []):
        if ident.get("value"):
            token = f"{ident['system']}|{ident['value']}" if ident.get("system") else str(ident["value"])
            return urlencode({"identifier": token})
    return None


def _resolve_focus(uow: UnitOfWork, task: Json) -> None:
    """Turn the Task's logical focus (REF*NT) into a literal reference to the stored denial."""
    focus = task.get("focus") or {}
    named = (focus.get("identifier") or {}).get("value")
    if not named or focus.get("reference"):
        return
    try:
        found = interactions.find_one(uow, "ClaimResponse", urlencode({"identifier": named}))
        problem, rule = "no stored denial", "x12in-002"
    except PreconditionFailed:
        found, problem, rule = None, "more than one stored denial", "x12in-003"
    if found is None:
        message = f"The 278 request names denial {named} (REF*NT) but the server has {problem} with that number"
        raise Unprocessable(message, issues=[Issue("error", "not-found", message, "Task.focus", rule)])
    task["focus"] = {"reference": f"ClaimResponse/{found.id}"}


def _point_at(resource: Json, urns: Mapping[str, str]) -> None:
    """Rewrite `Type/id` references to resources of the same translation to their `urn:uuid` fullUrls."""
    for holder in reference_holders(resource):
        holder["reference"] = urns.get(holder["reference"], holder["reference"])


def _key(resource: Json) -> str:
    return f"{resource['resourceType']}/{resource.get('id', '')}"


def _relative_references(resource: Json) -> Iterable[str]:
    for holder in reference_holders(resource):
        resource_type, _, resource_id = holder["reference"].partition("/")
        if resource_id and "/" not in resource_id and is_stored_type(resource_type):
            yield holder["reference"]


def _is_p2p_task(task: Json) -> bool:
    """A P2P or appeal Task: one the server checks against p2p-request / p2p-appeal."""
    return assigned_profile(task) is not None

"""A ClaimResponse as stored: assessed under its payer's policy (workflow/assess.py) and the result put on it as
the server's extensions (docs/workflow.md, "What the server adds to a denial"), whichever way it was written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

from fhir_p2p.errors import Gone, Issue, NotFound
from fhir_p2p.resources.pas import (
    NEXT_STEP_SYSTEM,
    P2P_ASSESSMENT,
    P2P_CONTACT,
    P2P_ELIGIBLE_ROLES,
    P2P_ITEM_DECISION,
    P2P_REQUEST_DEADLINE,
    ROLE_SYSTEM,
    Json,
    concept,
    extensions,
    policy_filled,
)
from fhir_p2p.store.sql import UnitOfWork
from fhir_p2p.workflow.assess import Assessment, Determination, assess
from fhir_p2p.workflow.calendar import Duration
from fhir_p2p.workflow.policy import DEFAULT_POLICY, PayerPolicy, PolicyBook

# What the server fills in from the policy when the payer did not give it (and lists under `from-policy`).
FILLABLE: Final = (P2P_REQUEST_DEADLINE, P2P_ELIGIBLE_ROLES, P2P_CONTACT)
_LOCAL_ORGANIZATION: Final = re.compile(r"^Organization/([A-Za-z0-9\-.]{1,64})$")
NOT_ASSESSED: Final = "p2p-006"  # assess.py keeps the rule table


def assessed(policies: PolicyBook, uow: UnitOfWork, current: Json | None, resource: Json) -> Json:
    """The ClaimResponse to store: `resource` with the server's assessment on it.

    The server's extensions in `resource` (a client echoing what it read, or sending an update) are dropped
    and computed again: `p2p-assessment`, `p2p-item-decision`, and the `p2p-request-deadline`,
    `p2p-eligible-roles` and `p2p-contact` values the server filled in from the policy (those listed under
    `from-policy` in the stored version, or, with none stored, in `resource` itself) when unchanged. Any
    other value of those three is the payer's and is kept.

    Args:
        policies: the payer policies; the insurer's is applied (its stored Organization read when the
            reference alone does not name a payer).
        uow: the unit of work writing it: its clock is the assessment time, its `warnings` get p2p-006.
        current: the stored version an update replaces (None for a create).
        resource: the ClaimResponse as written (not changed).
    Returns:
        A copy with `p2p-assessment` and, on every item, `p2p-item-decision`; when a P2P is offered, the
        deadline, roles and contact the payer did not give, from the policy. A response that cannot be
        assessed (no usable `created`) is returned without the server's extensions, with a warning (p2p-006).
    """
    own = without_server_extensions(resource, current)
    policy = policy_of(policies, uow, own)
    now = uow.clock()
    try:
        assessment = assess(own, policy, now)
    except (ValueError, OverflowError) as error:
        message = f"The response was stored without a P2P assessment: it cannot be assessed ({error})"
        uow.warnings.append(Issue("warning", "business-rule", message, "ClaimResponse.created", NOT_ASSESSED))
        return own
    return _with_assessment(own, assessment, now)


def policy_of(policies: PolicyBook, uow: UnitOfWork, claim_response: Json) -> PayerPolicy:
    """The policy of a ClaimResponse's insurer: by the reference's payer id or Organization; else by the stored
    Organization's payer id (read as the unit of work may see it)."""
    insurer = claim_response.get("insurer")
    policy = policies.for_insurer(insurer)
    if policy is not DEFAULT_POLICY or not isinstance(insurer, Mapping):
        return policy
    match = _LOCAL_ORGANIZATION.match(str(insurer.get("reference") or ""))
    if match is None:
        return policy
    try:
        organization = uow.read("Organization", match.group(1)).as_dict()
    except (NotFound, Gone):  # not stored (yet), deleted, or not visible to the tenant
        return policy
    return policies.for_insurer(organization)


def without_server_extensions(resource: Json, stored: Json | None = None) -> Json:
    """A ClaimResponse without the server's extensions: as the payer or the client wrote it (not changed).

    Args:
        resource: a ClaimResponse, as written or as stored.
        stored: the stored version it updates, if any: the values the server filled in are the ones its
            assessment lists under `from-policy` (else the ones `resource`'s own assessment lists).
    Returns:
        A copy without `p2p-assessment`, `p2p-item-decision`, and the `p2p-request-deadline`,
        `p2p-eligible-roles` and `p2p-contact` extensions filled in from the policy (unchanged values only).
    """
    source = stored if stored is not None and extensions(stored, P2P_ASSESSMENT) else resource
    filled = policy_filled(source)
    ours = [ext for url in FILLABLE if url in filled for ext in extensions(source, url)]
    copy = dict(resource)
    kept = [ext for ext in resource.get("extension", []) if ext.get("url") != P2P_ASSESSMENT and ext not in ours]
    _put(copy, "extension", kept)
    if "item" in resource:
        copy["item"] = [_without_decision(item) for item in resource["item"]]
    return copy


def _without_decision(item: Json) -> Json:
    found = item.get("extension")
    if not found or not any(ext.get("url") == P2P_ITEM_DECISION for ext in found):
        return item
    copy = dict(item)
    _put(copy, "extension", [ext for ext in found if ext.get("url") != P2P_ITEM_DECISION])
    return copy


def _put(element: Json, key: str, values: list[Json]) -> None:
    """Set a list, or remove the key when it is empty (FHIR JSON has no empty arrays)."""
    if values:
        element[key] = values
    else:
        element.pop(key, None)


def _with_assessment(own: Json, assessment: Assessment, now: datetime) -> Json:
    """`own` (no server extension on it) with the assessment's extensions added."""
    zone = assessment.policy.zone
    filled: list[Json] = []
    if assessment.request_due_at is not None:
        filled = _filled(own, assessment, zone)
    result = dict(own)
    result["extension"] = [*own.get("extension", []), *filled, _assessment(assessment, now, filled, zone)]
    if "item" in own:
        decisions = (item.decision for item in assessment.items)
        result["item"] = [_with_decision(item, decision) for item, decision in zip(own["item"], decisions, strict=True)]
    return result


def _with_decision(item: Json, decision: str) -> Json:
    return {**item, "extension": [*item.get("extension", []), {"url": P2P_ITEM_DECISION, "valueCode": decision}]}


def _filled(own: Json, assessment: Assessment, zone: ZoneInfo) -> list[Json]:
    """The request deadline, roles and contact of an offered P2P that the payer did not give."""
    given = {ext.get("url") for ext in own.get("extension", [])}
    filled: list[Json] = []
    if P2P_REQUEST_DEADLINE not in given and assessment.request_due_at is not None:  # always set when offered
        filled.append({"url": P2P_REQUEST_DEADLINE, "valueDateTime": _local(assessment.request_due_at, zone)})
    if P2P_ELIGIBLE_ROLES not in given:
        filled.extend(
            {"url": P2P_ELIGIBLE_ROLES, "valueCodeableConcept": concept(ROLE_SYSTEM, role)} for role in assessment.roles
        )
    contact = assessment.policy.contact
    if P2P_CONTACT not in given and contact is not None:
        filled.append({"url": P2P_CONTACT, "valueContactPoint": {"system": contact.system, "value": contact.value}})
    return filled


def _assessment(assessment: Assessment, now: datetime, filled: list[Json], zone: ZoneInfo) -> Json:
    """The `p2p-assessment` extension."""
    policy = assessment.policy
    parts: list[Json] = [
        {"url": "determination", "valueCode": str(assessment.determination)},
        {"url": "eligible", "valueBoolean": assessment.eligible},
        {"url": "assessed", "valueDateTime": _utc(now)},
        {"url": "policy", "valueString": policy.payer_id or "default"},
    ]
    offered = assessment.request_due_at is not None
    if offered and assessment.determination is Determination.ADVERSE:
        parts.append({"url": "informational", "valueBoolean": assessment.informational})
    if assessment.appeal_due_at is not None:
        parts.append({"url": "appeal-deadline", "valueDateTime": _local(assessment.appeal_due_at, zone)})
    if offered:
        parts.append({"url": "decision-sla", "valueString": _decision_sla(policy.scheduling_sla, policy.decision_sla)})
    for url in dict.fromkeys(str(ext["url"]) for ext in filled):
        parts.append({"url": "from-policy", "valueCanonical": url})
    refusal = assessment.why_not
    if refusal is not None:
        parts.append({"url": "reason", "valueString": refusal.reason})
        parts.append({"url": "next-step", "valueCodeableConcept": concept(NEXT_STEP_SYSTEM, str(refusal.next_step))})
        if refusal.next_step_due_at is not None:
            parts.append({"url": "next-step-due", "valueDateTime": _local(refusal.next_step_due_at, zone)})
    return {"url": P2P_ASSESSMENT, "extension": parts}


def _local(moment: datetime, zone: ZoneInfo) -> str:
    """A deadline as a FHIR dateTime in the payer's zone, to the second: `2026-11-24T23:59:59-06:00`."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _utc(moment: datetime) -> str:
    """An instant as a FHIR dateTime in UTC, to the millisecond: `2026-11-18T14:30:00.001Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@cache
def _decision_sla(scheduling: Duration, decision: Duration) -> str:
    """`call within 1 business day of the request, decision within 24 hours of the call`."""
    return f"call within {_span(scheduling)} of the request, decision within {_span(decision)} of the call"


def _span(duration: Duration) -> str:
    """`24 hours`, `1 business day`."""
    unit = duration.unit.replace("-", " ")
    return f"{duration.amount} {unit[:-1] if duration.amount == 1 else unit}"

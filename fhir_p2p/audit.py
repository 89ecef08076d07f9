"""The audit trail of every write (SPEC §7): who changed which resource version, and when.

Each unit of work that writes, on behalf of an `Actor` (the API client, or the CLI), ends with one
AuditEvent (`rest`, subtype the interaction: create, update, delete, or transaction when it wrote
several) listing every version written, and one Provenance per kind of change (CREATE, UPDATE,
DELETE) targeting those versions. Both name the client (by its id, system `CLIENT_SYSTEM`) and the
organization it acts for. They are stored like any resource, read-only for clients, and readable
by the writer's organization and the parties of what was written (fhir_p2p/tenancy.py); unlike
other resources they grant no read access to what they refer to (store/owners.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

CLIENT_SYSTEM: Final = "http://fhir-p2p.org/fhir/sid/client-id"

_INTERACTION: Final = {
    "POST": ("create", "C", "CREATE"),
    "PUT": ("update", "U", "UPDATE"),
    "DELETE": ("delete", "D", "DELETE"),
}
_EVENT_TYPE: Final = {
    "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
    "code": "rest",
    "display": "RESTful Operation",
}
_SOURCE: Final = {
    "observer": {"display": "fhir-p2p"},
    "type": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/security-source-type",
            "code": "4",
            "display": "Application Server",
        }
    ],
}
_SYSTEM_OBJECT: Final = {
    "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
    "code": "2",
    "display": "System Object",
}
_AUTHOR: Final = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type", "code": "author"}]
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a unit of work writes for: an API client (and its organization, None for the dev client) or the CLI."""

    client_id: str
    organization: str | None


CLI_ACTOR: Final = Actor("fhir-p2p-cli", None)


@dataclass(frozen=True, slots=True)
class Written:
    """One version a unit of work wrote."""

    resource_type: str
    id: str
    version_id: int
    method: str  # POST, PUT or DELETE

    @property
    def versioned(self) -> dict[str, str]:
        return {"reference": f"{self.resource_type}/{self.id}/_history/{self.version_id}"}


def audit_records(actor: Actor, written: Sequence[Written], recorded: str) -> list[dict[str, Any]]:
    """The AuditEvent and the Provenances of the versions one unit of work wrote."""
    if not written:
        return []
    methods = {w.method for w in written}
    subtype, action, _ = _INTERACTION[written[0].method] if len(written) == 1 else ("transaction", "E", "")
    client = {"identifier": {"system": CLIENT_SYSTEM, "value": actor.client_id}, "display": f"client {actor.client_id}"}
    agents: list[dict[str, Any]] = [{"who": client, "requestor": True}]
    if actor.organization is not None:
        agents.append({"who": {"reference": actor.organization}, "requestor": False})
    event = {
        "resourceType": "AuditEvent",
        "type": _EVENT_TYPE,
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": subtype}],
        "action": action,
        "recorded": recorded,
        "outcome": "0",
        "agent": agents,
        "source": _SOURCE,
        "entity": [{"what": w.versioned, "type": _SYSTEM_OBJECT} for w in written],
    }
    on_behalf = {"onBehalfOf": {"reference": actor.organization}} if actor.organization is not None else {}
    provenances = [
        {
            "resourceType": "Provenance",
            "target": [w.versioned for w in written if w.method == method],
            "recorded": recorded,
            "activity": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                        "code": _INTERACTION[method][2],
                    }
                ]
            },
            "agent": [{"type": _AUTHOR, "who": client, **on_behalf}],
        }
        for method in sorted(methods)
    ]
    return [event, *provenances]

"""Tenancy rules (SPEC §7): which organizations a resource belongs to, and who may write what.

A client belongs to one Organization and acts as a `provider` or a `payer`. A resource belongs to
the organizations that own it (`store/owners.py` keeps them as rows next to the resource):

- its **parties**: the organizations its party fields name (a ClaimResponse's `requestor` and
  `insurer`, a Task's `requester` and `owner`, a Claim's `provider` and `insurer`, a Coverage's
  `payor`, a DocumentReference's `custodian`, a Patient's `managingOrganization`), and for a Task
  also the parties of the denial or claim it is about (`focus`, `basedOn`), for an AuditEvent or
  Provenance those of the resources whose change it records;
- its **creator**: the organization of the client that created it.

What a resource refers to (its Patient, Claim, supporting DocumentReference...) is readable by its
owners too: a write *grants* them read access to each resource it refers to, as long as the writer
could see that resource. That is how a payer reads the Patient of a denial the provider posted. The
server's own audit records grant nothing: an AuditEvent of a unit that wrote two tenants' denials
belongs to both, and must not let either read the other's.

Shared reference data (`SHARED_TYPES`: Organization, Practitioner, PractitionerRole) is readable by
every client; only its creator changes it. The dev client and the CLI have no tenant: they see all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

from fhir_p2p.errors import Forbidden, Issue
from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.search.extract import parse_reference, reference_holders

Role = Literal["provider", "payer"]

SHARED_TYPES: Final = frozenset({"Organization", "Practitioner", "PractitionerRole"})

# Per type: each party field and the role whose organization it names.
PARTY_FIELDS: Final[dict[str, tuple[tuple[str, Role], ...]]] = {
    "ClaimResponse": (("requestor", "provider"), ("insurer", "payer")),
    "Claim": (("provider", "provider"), ("insurer", "payer")),
    "Task": (("requester", "provider"), ("owner", "payer")),
    "Coverage": (("payor", "payer"),),
    "DocumentReference": (("custodian", "provider"),),
    "Patient": (("managingOrganization", "provider"),),
}
# Resources that also belong to the parties of what they point at: (paths, from which types; None = any).
# A Task to those of the denial or claim it is about; audit records to those of what was written.
INHERITING: Final[dict[str, tuple[tuple[str, ...], frozenset[str] | None]]] = {
    "Task": (("focus", "basedOn"), frozenset({"ClaimResponse", "Claim"})),
    "AuditEvent": (("entity.what",), None),
    "Provenance": (("target",), None),
}

# Rule ids of this module; last id used: tenancy-002.


@dataclass(frozen=True, slots=True)
class Tenant:
    """The organization a request acts for, and in which role."""

    organization: str  # "Organization/<id>"
    role: Role


def tenant_for(organization: str | None, role: str | None) -> Tenant | None:
    """The tenant of a client of `organization` in `role`; None for the dev client (no organization)."""
    if organization is None:
        return None
    if role not in ("provider", "payer"):
        raise ValueError(f"a client's role is provider or payer, not {role!r}")
    return Tenant(organization, "provider" if role == "provider" else "payer")


def party_organizations(resource_type: str, resource: dict[str, Any]) -> set[str]:
    """The organizations (`Organization/<id>`) the party fields of `resource` name."""
    return {organization for _, _, organization in _parties(resource_type, resource)}


def check_parties(tenant: Tenant, resource_type: str, resource: dict[str, Any]) -> None:
    """A client writes only resources that name its own organization where they name one for its role.

    A provider's ClaimResponse whose `requestor` is an Organization must be the provider's own; one
    whose requestor is a Practitioner names no organization and is the creator's.

    Raises:
        Forbidden: a party field of the caller's role names organizations, none of them the caller's.
    """
    named: dict[str, set[str]] = {}
    for field, role, organization in _parties(resource_type, resource):
        if role == tenant.role:
            named.setdefault(field, set()).add(organization)
    for field, organizations in named.items():
        if tenant.organization not in organizations:
            message = (
                f"A {tenant.role} client writes {resource_type} resources whose {field} is its own organization "
                f"({tenant.organization}) or names none"
            )
            raise Forbidden(
                message, issues=[Issue("error", "forbidden", message, f"{resource_type}.{field}", "tenancy-001")]
            )


def read_only(resource_type: str, resource_id: str) -> Forbidden:
    """The refusal of a write to a resource the caller may read but not change."""
    message = f"{resource_type}/{resource_id} is readable by your organization but not yours to change"
    return Forbidden(message, issues=[Issue("error", "forbidden", message, rule="tenancy-002")])


def reference_targets(resource: dict[str, Any]) -> set[tuple[str, str]]:
    """`(type, id)` of every resource `resource` refers to that is tenant data (not shared, stored here)."""
    found: set[tuple[str, str]] = set()
    for holder in reference_holders(resource):
        target_type, target_id = parse_reference(holder["reference"])
        if target_type is not None and target_id is not None and _tenant_data(target_type):
            found.add((target_type, target_id))
    return found


def inherited_targets(resource_type: str, resource: dict[str, Any]) -> set[tuple[str, str]]:
    """`(type, id)` of the resources whose parties `resource` belongs to as well (`INHERITING`)."""
    paths, sources = INHERITING.get(resource_type, ((), None))
    found: set[tuple[str, str]] = set()
    for path in paths:
        values: list[Any] = [resource]
        for name in path.split("."):
            values = [v for value in values for v in _as_list(value.get(name) if isinstance(value, dict) else None)]
        for reference in _field_references(values):
            target_type, target_id = parse_reference(reference)
            if target_type is not None and target_id is not None and (sources is None or target_type in sources):
                found.add((target_type, target_id))
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _tenant_data(resource_type: str) -> bool:
    return resource_type in STORED_TYPES and resource_type not in SHARED_TYPES


def _parties(resource_type: str, resource: dict[str, Any]) -> Iterator[tuple[str, Role, str]]:
    for field, role in PARTY_FIELDS.get(resource_type, ()):
        for reference in _field_references(resource.get(field)):
            target_type, target_id = parse_reference(reference)
            if target_type == "Organization" and target_id is not None:
                yield field, role, f"Organization/{target_id}"


def _field_references(value: Any) -> Iterator[str]:
    """The `reference` strings of a Reference or a list of them."""
    for item in _as_list(value):
        if isinstance(item, dict) and isinstance(item.get("reference"), str):
            yield item["reference"]

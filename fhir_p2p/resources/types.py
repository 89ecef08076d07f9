"""The resource types this server stores, and which interactions each allows."""

from __future__ import annotations

STORED_TYPES: tuple[str, ...] = (
    "ClaimResponse",
    "Claim",
    "Task",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Coverage",
    "DocumentReference",
    "Subscription",
    "AuditEvent",
    "Provenance",
)

# Written by the server only (SPEC §4): clients may read and search them, never write.
READ_ONLY_TYPES: frozenset[str] = frozenset({"AuditEvent"})


def is_stored_type(name: str) -> bool:
    return name in STORED_TYPES

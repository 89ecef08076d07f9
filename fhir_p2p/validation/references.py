"""Reference target types: the resource type a reference names, against the element's targetProfiles.

The type comes from the literal reference: `Patient/123`, `Patient/123/_history/2`, a conditional
`Patient?identifier=...`, an absolute URL ending in `.../Patient/123[/_history/2]`, a local `#id` (the
contained resource's type), or a `urn:uuid:`/`urn:oid:` naming a `fullUrl` of the Bundle being
validated. Anything else (a logical reference with `identifier` only, an unresolvable URN) is not
typed and not checked. `Reference.type`, when given, must be allowed too and agree with the literal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fhir_p2p.errors import Issue
from fhir_p2p.validation import rules
from fhir_p2p.validation.registry import HL7_STRUCTURE_DEFINITION
from fhir_p2p.validation.values import items

TypeOfUrn = Callable[[str], str | None]


def reference_type(
    reference: str, root_resource: dict[str, Any], is_resource_type: Callable[[str], bool], type_of_urn: TypeOfUrn
) -> str | None:
    """The resource type `reference` names, or None when it cannot be told from the reference alone."""
    if reference.startswith("#"):
        if reference == "#":
            return _resource_type(root_resource)
        for contained in items(root_resource.get("contained")):
            if isinstance(contained, dict) and contained.get("id") == reference[1:]:
                return _resource_type(contained)
        return None
    if reference.startswith("urn:"):
        return type_of_urn(reference)
    path = reference.split("#", 1)[0]
    if "?" in path:
        candidate = path.split("?", 1)[0].rsplit("/", 1)[-1]
        return candidate if is_resource_type(candidate) else None
    parts = [part for part in path.split("/") if part]
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    if len(parts) >= 2 and is_resource_type(parts[-2]):
        return parts[-2]
    return None


def check_reference(
    value: dict[str, Any],
    targets: frozenset[str],
    expression: str,
    root_resource: dict[str, Any],
    is_resource_type: Callable[[str], bool],
    type_of_urn: TypeOfUrn,
    issues: list[Issue],
) -> None:
    """Append an issue when the reference (or its `type`) names a resource type outside `targets`."""
    allowed = ", ".join(sorted(targets))
    literal = value.get("reference")
    found = reference_type(literal, root_resource, is_resource_type, type_of_urn) if isinstance(literal, str) else None
    if found is not None and found not in targets:
        issues.append(
            Issue(
                "error",
                "structure",
                f"{expression} refers to {literal}, {_a(found)}, but this element allows only {allowed}",
                expression,
                rules.REFERENCE_TARGET,
            )
        )
    declared = value.get("type")
    if not isinstance(declared, str):
        return
    declared_name = (
        declared[len(HL7_STRUCTURE_DEFINITION) :] if declared.startswith(HL7_STRUCTURE_DEFINITION) else declared
    )
    if declared_name not in targets:
        issues.append(
            Issue(
                "error",
                "structure",
                f"{expression}.type is {declared}, but this element allows only {allowed}",
                f"{expression}.type",
                rules.REFERENCE_TARGET,
            )
        )
    elif found is not None and found != declared_name:
        issues.append(
            Issue(
                "error",
                "structure",
                f"{expression}.type says {declared_name}, but the reference {literal} names {_a(found)}",
                f"{expression}.type",
                rules.REFERENCE_TYPE_MISMATCH,
            )
        )


def _resource_type(resource: dict[str, Any]) -> str | None:
    name = resource.get("resourceType")
    return name if isinstance(name, str) else None


def _a(type_name: str) -> str:
    return f"{'an' if type_name[:1] in 'AEIOU' else 'a'} {type_name}"

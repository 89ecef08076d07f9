"""Where an extension may be used: its definition's `context` against the element that carries it.

Context types: `element` (the host's path, e.g. `ClaimResponse.item.adjudication`, its path in its
own data type, e.g. `CodeableConcept.coding`, or its type or a type it specializes, e.g.
`CodeableConcept`, `Element`, `Resource`), `extension` (the url of the extension that carries it).
`fhirpath` contexts and `contextInvariant` are not evaluated: such an extension is accepted anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fhir_p2p.errors import Issue
from fhir_p2p.validation import rules
from fhir_p2p.validation.compiler import ExtensionDefinition


@dataclass(frozen=True, slots=True)
class Host:
    """The element an extension sits on."""

    path: str  # from the resource root, indexes removed: `ClaimResponse.item.adjudication`
    element_path: str  # the path in the definition that declares it: `CodeableConcept.coding`
    type_name: str  # `BackboneElement`, `CodeableConcept`, `Extension`, `ClaimResponse`
    extension_url: str | None  # the url when the host is itself an extension


def check_context(
    definition: ExtensionDefinition,
    host: Host,
    ancestors: Callable[[str], frozenset[str]],
    expression: str,
    issues: list[Issue],
) -> None:
    """Append an error when `definition` does not allow `host` as its context."""
    if not definition.contexts or any(_allows(kind, text, host, ancestors) for kind, text in definition.contexts):
        return
    allowed = ", ".join(text for _, text in definition.contexts)
    issues.append(
        Issue(
            "error",
            "structure",
            f"extension {definition.url} is not allowed on {host.path} (it may be used on: {allowed})",
            expression,
            rules.EXTENSION_CONTEXT,
        )
    )


def _allows(kind: str, text: str, host: Host, ancestors: Callable[[str], frozenset[str]]) -> bool:
    if kind == "element":
        return text in (host.path, host.element_path) or text in ancestors(host.type_name)
    if kind == "extension":
        return host.extension_url is not None and text == host.extension_url
    return True  # fhirpath contexts are not evaluated

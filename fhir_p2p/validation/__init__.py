"""Profile validation against the conformance resources in `profiles/` (SPEC §3).

    registry = Registry.from_dir("profiles")          # once, at start-up
    validator = Validator(registry)
    issues = validator.validate(resource, "http://fhir-p2p.org/fhir/StructureDefinition/p2p-denial")

Modules: `registry` (resources by URL), `elements` (snapshot trees), `compiler` (compiled rules per
element and type), `valuesets` and `bindings` (terminology), `invariants` and `native_invariants`
(FHIRPath), `slicing`, `extensions` (contexts), `references` (target types), `engine` (the walk),
`rules` (the `val-` rule ids).
"""

from __future__ import annotations

from fhir_p2p.validation.engine import Validator
from fhir_p2p.validation.registry import Registry

__all__ = ["Registry", "Validator"]

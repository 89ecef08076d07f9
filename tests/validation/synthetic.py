"""Small profiles built in the tests from base R4 snapshots, for the rules our own profiles do not use
(type and exists discriminators, ordered slicing, unsupported discriminators, filters)."""

from __future__ import annotations

import copy
from typing import Any

from fhir_p2p.validation import Registry, Validator
from tests.validation.support import PROFILES

TEST_BASE = "http://example.org/fhir/StructureDefinition/"


def base_registry() -> Registry:
    return Registry.from_dir(PROFILES)


def task_input_profile(
    name: str,
    discriminators: list[dict[str, str]],
    slices: list[dict[str, Any]],
    *,
    rules: str = "closed",
    ordered: bool = False,
) -> dict[str, Any]:
    """A Task profile slicing `Task.input`. Each slice: {name, min, max, types (value[x] codes),
    optional pattern (for input.type), optional value_min / value_max (value[x] cardinality)}."""
    registry = base_registry()
    task = registry.type_definition("Task")
    assert task is not None
    elements = copy.deepcopy(task["snapshot"]["element"])
    for element in elements:
        if element["id"] == "Task.input":
            element["slicing"] = {"discriminator": discriminators, "rules": rules, "ordered": ordered}
    for spec in slices:
        slice_id = f"Task.input:{spec['name']}"
        type_element: dict[str, Any] = {
            "id": f"{slice_id}.type",
            "path": "Task.input.type",
            "min": 1,
            "max": "1",
            "base": {"path": "Task.input.type", "min": 1, "max": "1"},
            "type": [{"code": "CodeableConcept"}],
        }
        if "pattern" in spec:
            type_element["patternCodeableConcept"] = spec["pattern"]
        elements += [
            {
                "id": slice_id,
                "path": "Task.input",
                "sliceName": spec["name"],
                "min": spec.get("min", 0),
                "max": spec.get("max", "*"),
                "base": {"path": "Task.input", "min": 0, "max": "*"},
                "type": [{"code": "BackboneElement"}],
            },
            type_element,
            {
                "id": f"{slice_id}.value[x]",
                "path": "Task.input.value[x]",
                "min": spec.get("value_min", 1),
                "max": spec.get("value_max", "1"),
                "base": {"path": "Task.input.value[x]", "min": 1, "max": "1"},
                "type": [{"code": code} for code in spec["types"]],
            },
        ]
    return {
        "resourceType": "StructureDefinition",
        "id": name,
        "url": TEST_BASE + name,
        "name": name,
        "status": "draft",
        "kind": "resource",
        "abstract": False,
        "type": "Task",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Task",
        "derivation": "constraint",
        "snapshot": {"element": elements},
    }


def validator_with(*resources: dict[str, Any]) -> Validator:
    """A validator over the project's profiles plus `resources` (profiles, value sets, code systems)."""
    registry = base_registry()
    return Validator(Registry([*registry.own, *resources], registry.base))


def minimal_task(*inputs: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Task", "status": "requested", "intent": "order", "input": list(inputs)}

"""The registry: what it loads from profiles/, by URL and version; the base-R4 subset covers the stored types."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fhir_p2p.resources.types import STORED_TYPES
from fhir_p2p.validation import Registry
from fhir_p2p.validation.compiler import Kind
from fhir_p2p.validation.registry import HL7_STRUCTURE_DEFINITION
from tests.validation.support import P2P_DENIAL, PROFILES, validator

SUBSET_EXTRA_TYPES = ("Bundle", "Parameters", "OperationOutcome")


def test_own_resources_are_the_json_files_of_profiles() -> None:
    registry = Registry.from_dir(PROFILES)
    names = sorted(f"{r['resourceType']}-{r['id']}.json" for r in registry.own)
    on_disk = sorted(
        p.name for k in ("StructureDefinition", "ValueSet", "CodeSystem") for p in PROFILES.glob(f"{k}-*.json")
    )
    assert names == on_disk
    assert registry.structure_definition(P2P_DENIAL) is not None
    assert registry.structure_definition(P2P_DENIAL + "|0.1.0") is not None
    assert registry.value_set("http://hl7.org/fhir/ValueSet/fm-status|4.0.1") is not None


def test_only_conformance_files_are_read(tmp_path: Path) -> None:
    shutil.copy(PROFILES / "CodeSystem-p2p-stage.json", tmp_path)
    (tmp_path / "package.json").write_text(json.dumps({"name": "x"}))
    (tmp_path / "notes.json").write_text("not json")
    registry = Registry.from_dir(tmp_path)
    assert [r["id"] for r in registry.own] == ["p2p-stage"] and registry.base == ()


def test_bad_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "ValueSet-broken.json").write_text("{")
    with pytest.raises(ValueError, match="not JSON"):
        Registry.from_dir(tmp_path)
    with pytest.raises(FileNotFoundError):
        Registry.from_dir(tmp_path / "missing")
    (tmp_path / "ValueSet-broken.json").write_text(json.dumps({"resourceType": "StructureDefinition", "url": "x"}))
    with pytest.raises(ValueError, match="has no snapshot"):
        Registry.from_dir(tmp_path)


@pytest.mark.parametrize("type_name", [*STORED_TYPES, *SUBSET_EXTRA_TYPES])
def test_base_definitions_of_the_stored_types_are_bundled(type_name: str) -> None:
    rule = validator().compiler.resource_rule(HL7_STRUCTURE_DEFINITION + type_name)
    assert rule is not None and rule.kind is Kind.COMPLEX


def test_the_subset_lists_the_same_types_as_the_server() -> None:
    script = (PROFILES / "tools" / "r4-subset.mjs").read_text()
    listed = script.split("const RESOURCE_TYPES = [", 1)[1].split("];", 1)[0]
    names = {part.strip().strip("'") for part in listed.replace("\n", " ").split(",") if part.strip()}
    assert names == {*STORED_TYPES, *SUBSET_EXTRA_TYPES}


def test_every_required_binding_of_the_subset_is_bundled_or_external() -> None:
    registry = Registry.from_dir(PROFILES)
    terminology = validator().terminology
    for sd in registry.base:
        for element in sd.get("snapshot", {}).get("element", []):
            binding = element.get("binding") or {}
            if binding.get("strength") == "required":
                expansion = terminology.expansion(binding["valueSet"])
                assert expansion.available, binding["valueSet"]


def test_the_subset_is_small() -> None:
    size = sum(path.stat().st_size for path in (PROFILES / "r4").glob("*.ndjson"))
    assert size < 2_000_000

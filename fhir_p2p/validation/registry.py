"""The conformance resources the validator knows: StructureDefinitions, ValueSets, CodeSystems by canonical URL.

Loaded once at start-up from a profiles folder: the project's own resources (`StructureDefinition-*.json`,
`ValueSet-*.json`, `CodeSystem-*.json`; nothing else there is read) and the base-R4 subset in `r4/`
(`StructureDefinitions.ndjson`, `ValueSets.ndjson`, `CodeSystems.ndjson`, written by
`profiles/tools/r4-subset.mjs`). An own resource with the URL of a base one replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import orjson

HL7_STRUCTURE_DEFINITION: Final = "http://hl7.org/fhir/StructureDefinition/"
RESOURCE_TYPES_SYSTEM: Final = "http://hl7.org/fhir/resource-types"
KINDS: Final = ("StructureDefinition", "ValueSet", "CodeSystem")
BASE_FOLDER: Final = "r4"

Resource = dict[str, Any]


def canonical(url: str) -> str:
    """`url` without its `|version` suffix."""
    return url.split("|", 1)[0]


@dataclass(slots=True)
class _Index:
    by_url: dict[str, Resource] = field(default_factory=dict)

    def add(self, resource: Resource) -> None:
        url = resource.get("url")
        if not isinstance(url, str):
            return
        self.by_url[url] = resource
        version = resource.get("version")
        if isinstance(version, str):
            self.by_url[f"{url}|{version}"] = resource

    def get(self, url: str) -> Resource | None:
        return self.by_url.get(url) or self.by_url.get(canonical(url))


class Registry:
    """StructureDefinitions, ValueSets and CodeSystems by canonical URL (and `url|version`).

    `own` are the project's resources (served read-only by the API), `base` the bundled R4 subset.
    """

    def __init__(self, own: Iterable[Resource] = (), base: Iterable[Resource] = ()) -> None:
        self.own: tuple[Resource, ...] = tuple(own)
        self.base: tuple[Resource, ...] = tuple(base)
        self._indexes = {kind: _Index() for kind in KINDS}
        for resource in (*self.base, *self.own):  # own last: it wins
            index = self._indexes.get(resource.get("resourceType", ""))
            if index is not None:
                index.add(resource)
        self._resource_types = frozenset(_codes(self.code_system(RESOURCE_TYPES_SYSTEM)))
        self._primitive_types = frozenset(
            sd["type"] for sd in self._all("StructureDefinition") if sd.get("kind") == "primitive-type"
        )

    @classmethod
    def from_dir(cls, folder: str | Path) -> Registry:
        """Load a profiles folder (see the module docstring).

        Raises:
            FileNotFoundError: the folder does not exist.
            ValueError: a file is not JSON, holds no conformance resource, or a StructureDefinition
                has no snapshot.
        """
        root = Path(folder)
        if not root.is_dir():
            raise FileNotFoundError(f"profiles folder not found: {root}")
        own = [_read_json(path) for kind in KINDS for path in sorted(root.glob(f"{kind}-*.json"))]
        base: list[Resource] = []
        for kind in KINDS:
            path = root / BASE_FOLDER / f"{kind}s.ndjson"
            if path.is_file():
                base.extend(_read_ndjson(path))
        for resource in (*own, *base):
            resource_type = resource.get("resourceType")
            if resource_type not in KINDS:
                raise ValueError(f"not a conformance resource: {resource_type!r} in {root}")
            if resource_type == "StructureDefinition" and not (resource.get("snapshot") or {}).get("element"):
                raise ValueError(f"StructureDefinition {resource.get('url')} in {root} has no snapshot")
        return cls(own, base)

    def structure_definition(self, url: str) -> Resource | None:
        return self._indexes["StructureDefinition"].get(url)

    def value_set(self, url: str) -> Resource | None:
        return self._indexes["ValueSet"].get(url)

    def code_system(self, url: str) -> Resource | None:
        return self._indexes["CodeSystem"].get(url)

    def type_definition(self, type_name: str) -> Resource | None:
        """The base StructureDefinition of a resource or data type (`ClaimResponse`, `Period`)."""
        return self.structure_definition(HL7_STRUCTURE_DEFINITION + type_name)

    def is_resource_type(self, name: str) -> bool:
        """Whether `name` is an R4 resource type (from the bundled `resource-types` code system)."""
        return name in self._resource_types

    def is_primitive_type(self, code: str) -> bool:
        return code in self._primitive_types or code.startswith("http://hl7.org/fhirpath/System.")

    def counts(self) -> dict[str, int]:
        """How many resources of each kind are loaded, own and base (for the start-up log)."""
        return {kind: len(list(self._all(kind))) for kind in KINDS}

    def _all(self, kind: str) -> Iterator[Resource]:
        seen: set[int] = set()
        for resource in self._indexes[kind].by_url.values():
            if id(resource) not in seen:
                seen.add(id(resource))
                yield resource


def _codes(code_system: Resource | None) -> Iterator[str]:
    stack = list((code_system or {}).get("concept", []))
    while stack:
        concept = stack.pop()
        yield concept["code"]
        stack.extend(concept.get("concept", []))


def _read_json(path: Path) -> Resource:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a JSON object")
    return data


def _read_ndjson(path: Path) -> list[Resource]:
    resources = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if line.strip():
            try:
                resources.append(orjson.loads(line))
            except orjson.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not JSON ({error})") from None
    return resources

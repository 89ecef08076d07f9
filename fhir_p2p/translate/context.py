"""The resources a translation reads: a FHIR Bundle or a dict keyed by `Type/id`, resolved by reference."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fhir_p2p.resources.pas import Json


class Resources:
    """Resources by `Type/id`, so that references like `Patient/theodora-vance` resolve."""

    def __init__(self, by_key: Mapping[str, Json]) -> None:
        self._by_key = dict(by_key)

    @classmethod
    def of(cls, source: Mapping[str, Any]) -> Resources:
        """From a Bundle (entries keyed by `fullUrl` and `Type/id`) or a dict of resources by any key.

        Args:
            source: a FHIR Bundle, or a mapping whose values are resources.
        Returns:
            The resources, each reachable by `Type/id` (and by `fullUrl` for Bundle entries).
        """
        by_key: dict[str, Json] = {}
        if source.get("resourceType") == "Bundle":
            for entry in source.get("entry", []):
                resource = entry.get("resource")
                if resource:
                    by_key[f"{resource['resourceType']}/{resource.get('id', '')}"] = resource
                    if entry.get("fullUrl"):
                        by_key[str(entry["fullUrl"])] = resource
        else:
            for resource in source.values():
                by_key[f"{resource['resourceType']}/{resource.get('id', '')}"] = resource
        return cls(by_key)

    def resolve(self, reference: Json | None, *types: str) -> Json | None:
        """The resource a Reference names (absolute URLs by their last two segments), when of `types`."""
        target = str((reference or {}).get("reference", ""))
        found = self._by_key.get(target) or self._by_key.get("/".join(target.rsplit("/", 2)[-2:]))
        if found is None or (types and found.get("resourceType") not in types):
            return None
        return found

    def find(self, resource_type: str, where: Callable[[Json], bool] = lambda _: True) -> Json | None:
        """The first resource of a type that satisfies `where`."""
        return next((r for r in self._by_key.values() if r.get("resourceType") == resource_type and where(r)), None)

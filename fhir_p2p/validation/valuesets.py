"""Value sets expanded from the registry, once each, and membership of a code in them.

An expansion holds the `(system, code)` pairs it could compute and says what it could not: a code
system that is not bundled (X12, NUCC, SNOMED CT...), a `fragment`/`example` code system, a filter
other than `is-a`, `descendent-of`, `is-not-a`, `in`, `=` on `concept`, or a value set that is not in
the registry. A code of such a part is `UNKNOWN` (reported as information, never as an error).
Three external systems that FHIR binds as required get a syntax check instead (`EXTERNAL_SYNTAX`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from fhir_p2p.validation.registry import Registry, canonical

# Code systems FHIR binds as required that no FHIR package ships: checked by syntax only.
EXTERNAL_SYNTAX: Final = {
    "urn:iso:std:iso:4217": re.compile(r"[A-Z]{3}"),  # currencies
    "urn:ietf:bcp:13": re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?"),  # mime types
    "urn:ietf:bcp:47": re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*"),  # languages
}
_MAX_DEPTH: Final = 10


class Verdict(Enum):
    OK = "ok"
    BAD = "bad"
    UNKNOWN = "unknown"


@dataclass(slots=True)
class Expansion:
    """What is known of one value set: its codes, and the parts that could not be expanded."""

    url: str
    title: str
    available: bool = True
    codes: set[tuple[str, str]] = field(default_factory=set)
    open_systems: set[str] = field(default_factory=set)  # whole systems not expanded
    gaps: list[str] = field(default_factory=list)  # human text of every part not expanded
    bare_codes: frozenset[str] = frozenset()  # codes of `codes`, for the `code` data type (no system)

    def check(self, system: str | None, code: str) -> Verdict:
        """Whether `code` (of `system`, or of the system the `code` data type implies when None) is in the set."""
        if system is not None:
            if (system, code) in self.codes:
                return Verdict.OK
            if system in self.open_systems:
                return _syntax(system, code)
            return Verdict.UNKNOWN if self._unresolved_value_set else Verdict.BAD
        if code in self.bare_codes:
            return Verdict.OK
        for open_system in self.open_systems:
            if open_system in EXTERNAL_SYNTAX:
                return _syntax(open_system, code)
        return Verdict.UNKNOWN if self.gaps else Verdict.BAD

    @property
    def _unresolved_value_set(self) -> bool:
        return any(gap.startswith("value set ") for gap in self.gaps)

    def why_unknown(self) -> str:
        return "; ".join(self.gaps) or "nothing"


def _syntax(system: str, code: str) -> Verdict:
    pattern = EXTERNAL_SYNTAX.get(system)
    if pattern is None:
        return Verdict.UNKNOWN
    return Verdict.OK if pattern.fullmatch(code) else Verdict.BAD


class Terminology:
    """Expansions of the registry's value sets, computed on first use and kept."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._cache: dict[str, Expansion] = {}

    def expansion(self, url: str) -> Expansion:
        return self._expand(canonical(url), 0)

    def _expand(self, url: str, depth: int) -> Expansion:
        cached = self._cache.get(url)
        if cached is not None:
            return cached
        value_set = self._registry.value_set(url)
        if value_set is None or depth > _MAX_DEPTH:
            result = Expansion(url, url, available=False, gaps=[f"value set {url} is not bundled"])
            self._cache[url] = result
            return result
        result = Expansion(url, value_set.get("title") or value_set.get("name") or url)
        self._cache[url] = result  # a value set that includes itself ends here
        compose = value_set.get("compose")
        if compose is None:
            result.codes.update(_contains((value_set.get("expansion") or {}).get("contains", [])))
        else:
            for include in compose.get("include", ()):
                self._merge(result, self._part(include, depth))
            for exclude in compose.get("exclude", ()):
                part = self._part(exclude, depth)
                result.codes.difference_update(part.codes)
                result.gaps.extend(f"exclude {gap}" for gap in part.gaps)
        result.bare_codes = frozenset(code for _, code in result.codes)
        return result

    @staticmethod
    def _merge(result: Expansion, part: Expansion) -> None:
        result.codes.update(part.codes)
        result.open_systems.update(part.open_systems)
        result.gaps.extend(part.gaps)

    def _part(self, include: dict[str, Any], depth: int) -> Expansion:
        """One include/exclude: its system part and its value sets, intersected when both are given."""
        parts = []
        system = include.get("system")
        if system is not None:
            parts.append(self._system_part(system, include))
        parts.extend(self._expand(canonical(url), depth + 1) for url in include.get("valueSet", ()))
        if len(parts) == 1:
            return parts[0]
        first, *rest = parts
        merged = Expansion("", "")
        merged.codes = {pair for pair in first.codes if all(pair in other.codes for other in rest)}
        for part in parts:
            merged.gaps.extend(part.gaps)
            merged.open_systems.update(part.open_systems)
        return merged

    def _system_part(self, system: str, include: dict[str, Any]) -> Expansion:
        part = Expansion(system, system)
        listed = include.get("concept")
        if listed:
            part.codes.update((system, concept["code"]) for concept in listed)
            return part
        code_system = self._registry.code_system(system)
        if code_system is None or code_system.get("content", "complete") != "complete":
            part.open_systems.add(system)
            part.gaps.append(f"code system {system} is not bundled")
            return part
        hierarchy = _Hierarchy(code_system.get("concept", []))
        codes = hierarchy.codes
        for rule in include.get("filter", ()):
            selected = hierarchy.filter(rule)
            if selected is None:
                part.open_systems.add(system)
                part.gaps.append(f"{system} filter {rule.get('property')} {rule.get('op')} {rule.get('value')}")
                return part
            codes = [code for code in codes if code in selected]
        part.codes.update((system, code) for code in codes)
        return part


def _contains(contains: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for entry in contains:
        if "code" in entry:
            yield entry.get("system", ""), entry["code"]
        yield from _contains(entry.get("contains", []))


class _Hierarchy:
    """The concepts of a code system with their parents, for `is-a` style filters."""

    def __init__(self, concepts: list[dict[str, Any]]) -> None:
        self.codes: list[str] = []
        self.children: dict[str, list[str]] = {}
        stack = [(concept, None) for concept in reversed(concepts)]
        while stack:
            concept, parent = stack.pop()
            code = concept["code"]
            self.codes.append(code)
            if parent is not None:
                self.children.setdefault(parent, []).append(code)
            stack.extend((child, code) for child in reversed(concept.get("concept", [])))

    def descendants(self, code: str) -> set[str]:
        found: set[str] = set()
        stack = list(self.children.get(code, ()))
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.children.get(current, ()))
        return found

    def filter(self, rule: dict[str, Any]) -> set[str] | None:
        """Codes a `concept` filter selects; None for a filter this module does not evaluate."""
        op, value = rule.get("op"), str(rule.get("value", ""))
        if rule.get("property") != "concept":
            return None
        if op == "is-a":
            return self.descendants(value) | {value}
        if op == "descendent-of":
            return self.descendants(value)
        if op == "is-not-a":
            return set(self.codes) - self.descendants(value) - {value}
        if op == "in":
            return set(value.split(","))
        if op == "=":
            return {value}
        return None

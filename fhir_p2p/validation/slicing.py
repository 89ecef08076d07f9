"""Slices: which slice each item of a sliced array belongs to, by the slicing's discriminators.

Evaluated discriminators: `value` and `pattern` (the item's values at the path equal the slice's
fixed[x], or contain its pattern[x]), `type` (the type a choice key or a nested resource names) and
`exists`. The expected value is read from the slice's own child at the discriminator path or, when
the snapshot does not expand it (SUSHI leaves extension slices as `type.profile` only, without the
`url` child), from the definition the slice's type profile names (`Extension.url` fixed there).
`profile` discriminators, paths with functions (`resolve()`, `extension(...)`) and slices that give
no value to compare make the slicing partly unevaluable: the engine reports that as information and
does not treat unmatched items as errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fhir_p2p.validation.elements import MISSING, Element, Tree
from fhir_p2p.validation.values import contains, same_json

TreeLookup = Callable[[str], Tree | None]


@dataclass(frozen=True, slots=True)
class Condition:
    kind: str  # equals | contains | type | exists
    steps: tuple[str, ...]  # JSON names from the item; () for $this; the last may be a choice stem
    choice: bool  # the last step is a choice element (`value` -> valueString, ...)
    expected: Any

    def holds(self, item: Any) -> bool:
        if self.kind == "type":
            return bool(_types_at(item, self.steps, self.choice) & self.expected)
        values = list(_values_at(item, self.steps, self.choice))
        if self.kind == "exists":
            return bool(values) is self.expected
        if self.kind == "equals":
            return any(same_json(value, self.expected) for value in values)
        return any(contains(value, self.expected) for value in values)


@dataclass(frozen=True, slots=True)
class SliceMatcher:
    element: Element  # the slice
    conditions: tuple[Condition, ...]
    problem: str | None  # why this slice cannot be matched, or None

    def matches(self, item: Any) -> bool:
        return self.problem is None and all(condition.holds(item) for condition in self.conditions)


@dataclass(frozen=True, slots=True)
class SliceSet:
    """The compiled slicing of one element."""

    element: Element
    matchers: tuple[SliceMatcher, ...]
    rules: str
    ordered: bool

    @property
    def problems(self) -> list[str]:
        return [f"slice '{m.element.slice_name}': {m.problem}" for m in self.matchers if m.problem]

    def assign(self, items: list[Any]) -> list[int]:
        """For each item, the index of the first slice it matches, or -1."""
        found = []
        for item in items:
            index = -1
            for position, matcher in enumerate(self.matchers):
                if matcher.matches(item):
                    index = position
                    break
            found.append(index)
        return found


def compile_slicing(element: Element, tree_of: TreeLookup) -> SliceSet:
    """Compile the slicing of `element` (which has `slicing` and `slices`).

    Args:
        element: the sliced element.
        tree_of: finds the compiled tree of a StructureDefinition URL (for type profiles of slices).
    """
    slicing = element.slicing
    assert slicing is not None
    matchers = []
    for slice_element in element.slices:
        conditions = []
        problem = None
        for discriminator in slicing.discriminators:
            condition = _condition(slice_element, discriminator.type, discriminator.path, tree_of)
            if isinstance(condition, str):
                problem = condition
                break
            conditions.append(condition)
        if not slicing.discriminators:
            problem = "the slicing has no discriminator"
        matchers.append(SliceMatcher(slice_element, tuple(conditions), problem))
    return SliceSet(element, tuple(matchers), slicing.rules, slicing.ordered)


def _condition(slice_element: Element, kind: str, path: str, tree_of: TreeLookup) -> Condition | str:
    """The condition one discriminator puts on an item, or the reason it cannot be evaluated."""
    if kind == "profile":
        return f"discriminator 'profile' on {path} is not evaluated"
    steps = () if path == "$this" else tuple(path.split("."))
    if any("(" in step or step.startswith("$") for step in steps):
        return f"discriminator path '{path}' is not evaluated"
    target = _definition_at(slice_element, steps, tree_of)
    if target is None:
        return f"no definition at discriminator path '{path}'"
    choice = target.is_choice and bool(steps)
    if kind in ("value", "pattern"):
        if target.fixed is not MISSING:
            return Condition("equals", steps, choice, target.fixed)
        if target.pattern is not MISSING:
            return Condition("contains", steps, choice, target.pattern)
        return f"no fixed or pattern value at discriminator path '{path}'"
    if kind == "type":
        return Condition("type", steps, choice, frozenset(t.code for t in target.types))
    if kind == "exists":
        if target.min > 0:
            return Condition("exists", steps, choice, True)
        if target.max == 0:
            return Condition("exists", steps, choice, False)
        return f"discriminator 'exists' on '{path}' is neither required nor forbidden in the slice"
    return f"unknown discriminator type '{kind}'"


def _definition_at(slice_element: Element, steps: tuple[str, ...], tree_of: TreeLookup) -> Element | None:
    """The element definition at `steps` below a slice: its own children, else its type profile's tree."""
    found = slice_element.child_by_path(".".join(steps)) if steps else slice_element
    if found is not None:
        return found
    for type_ in slice_element.types:
        for profile in type_.profiles:
            tree = tree_of(profile)
            if tree is not None:
                found = tree.root.child_by_path(".".join(steps)) if steps else tree.root
                if found is not None:
                    return found
    return None


def _values_at(item: Any, steps: tuple[str, ...], choice: bool) -> Iterator[Any]:
    current = [item]
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        following = []
        for node in current:
            if not isinstance(node, dict):
                continue
            keys = [k for k in node if _is_choice_key(k, step)] if last and choice else [step]
            for key in keys:
                value = node.get(key)
                if isinstance(value, list):
                    following.extend(value)
                elif value is not None:
                    following.append(value)
        current = following
    yield from current


def _types_at(item: Any, steps: tuple[str, ...], choice: bool) -> set[str]:
    if not steps:
        resource_type = item.get("resourceType") if isinstance(item, dict) else None
        return {resource_type} if isinstance(resource_type, str) else set()
    parents = list(_values_at(item, steps[:-1], False))
    stem = steps[-1]
    found: set[str] = set()
    for parent in parents:
        if not isinstance(parent, dict):
            continue
        for key in parent:
            if choice and _is_choice_key(key, stem):
                suffix = key[len(stem) :]
                found.add(suffix)
                found.add(suffix[:1].lower() + suffix[1:])
            elif not choice and key == stem and isinstance(parent[key], dict):
                resource_type = parent[key].get("resourceType")
                if isinstance(resource_type, str):
                    found.add(resource_type)
    return found


def _is_choice_key(key: str, stem: str) -> bool:
    return key.startswith(stem) and len(key) > len(stem) and key[len(stem)].isupper()

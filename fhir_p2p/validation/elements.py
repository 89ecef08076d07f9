"""A StructureDefinition snapshot as a tree: one `Element` per ElementDefinition, one `Structure` per object shape.

`compile_tree(sd)` links the flat snapshot list by element id (children by name, slices under the
element they slice). A `Structure` is what one JSON object may hold: every allowed key (choice
elements expanded to `valueString`, `valueCodeableConcept`, ...; primitives also as `_name`) mapped to
a `Slot`, and the elements it must contain. Both are pure data derived from the snapshot; what the
types mean across definitions (data type trees, profiles, invariants) is `compiler.py`'s business.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from fhir_p2p.validation.compiler import ValueRule
    from fhir_p2p.validation.slicing import SliceSet

UNBOUNDED: Final = sys.maxsize
BEST_PRACTICE: Final = "http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice"


class _Missing(Enum):
    MISSING = "missing"


MISSING: Final = _Missing.MISSING


@dataclass(frozen=True, slots=True)
class TypeRef:
    """One `ElementDefinition.type`: the type code, the profiles it must conform to, reference targets."""

    code: str
    profiles: tuple[str, ...] = ()
    target_profiles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Binding:
    strength: str  # required | extensible | preferred | example
    value_set: str  # canonical URL, version removed


@dataclass(frozen=True, slots=True)
class Constraint:
    key: str
    severity: str  # error | warning
    human: str
    expression: str
    best_practice: bool
    source: str  # URL of the StructureDefinition that carries it


@dataclass(frozen=True, slots=True)
class Discriminator:
    type: str  # value | pattern | type | exists | profile
    path: str


@dataclass(frozen=True, slots=True)
class Slicing:
    discriminators: tuple[Discriminator, ...]
    rules: str  # open | closed | openAtEnd
    ordered: bool


class Element:
    """One ElementDefinition of a snapshot, linked to its children and slices."""

    __slots__ = (
        "binding",
        "children",
        "compiled_slicing",
        "constraints",
        "content_reference",
        "fixed",
        "id",
        "is_array",
        "is_choice",
        "max",
        "min",
        "name",
        "path",
        "pattern",
        "rules",
        "segment",
        "slice_name",
        "slices",
        "slicing",
        "structure",
        "tree",
        "types",
    )

    def __init__(self, definition: dict[str, Any], tree: Tree) -> None:
        self.tree = tree
        self.id: str = definition["id"]
        self.path: str = definition["path"]
        segment = self.path.rsplit(".", 1)[-1]
        self.segment = segment  # the last path step as written: `value[x]`
        self.is_choice = segment.endswith("[x]")
        self.name = segment[:-3] if self.is_choice else segment
        self.slice_name: str | None = definition.get("sliceName")
        self.min: int = int(definition.get("min", 0))
        self.max: int = _max(definition.get("max", "*"))
        base_max = (definition.get("base") or {}).get("max", definition.get("max", "*"))
        self.is_array = base_max != "1"
        self.types = tuple(
            TypeRef(t["code"], tuple(t.get("profile", ())), tuple(t.get("targetProfile", ())))
            for t in definition.get("type", ())
        )
        self.content_reference: str | None = definition.get("contentReference")
        self.fixed: Any = MISSING
        self.pattern: Any = MISSING
        for key, value in definition.items():
            if key.startswith("fixed"):
                self.fixed = value
            elif key.startswith("pattern"):
                self.pattern = value
        binding = definition.get("binding")
        self.binding = (
            Binding(binding["strength"], binding["valueSet"].split("|", 1)[0])
            if binding and binding.get("valueSet")
            else None
        )
        self.constraints = tuple(_constraint(c, tree.url) for c in definition.get("constraint", ()))
        slicing = definition.get("slicing")
        self.slicing = (
            Slicing(
                tuple(Discriminator(d["type"], d["path"]) for d in slicing.get("discriminator", ())),
                slicing.get("rules", "open"),
                bool(slicing.get("ordered", False)),
            )
            if slicing
            else None
        )
        self.children: dict[str, Element] = {}
        self.slices: list[Element] = []
        # filled by the compiler on first use
        self.structure: Structure | None = None
        self.rules: dict[TypeRef, ValueRule] = {}
        self.compiled_slicing: SliceSet | None = None

    def __repr__(self) -> str:
        return f"<Element {self.id} {self.min}..{'*' if self.max == UNBOUNDED else self.max}>"

    def child_by_path(self, path: str) -> Element | None:
        """The descendant at a dotted relative path (`type`, `code.coding`), by element name."""
        element: Element | None = self
        for step in path.split("."):
            element = element.children.get(step) if element is not None else None
        return element


class Tree:
    """A compiled snapshot: every element by id, the root element, and the definition itself."""

    __slots__ = ("by_id", "root", "sd", "type", "url")

    def __init__(self, sd: dict[str, Any]) -> None:
        self.sd = sd
        self.url: str = sd.get("url", "")
        self.type: str = sd.get("type", "")
        self.by_id: dict[str, Element] = {}
        elements = (sd.get("snapshot") or {}).get("element") or []
        if not elements:
            raise ValueError(f"StructureDefinition {self.url} has no snapshot")
        for definition in elements:
            element = Element(definition, self)
            self.by_id[element.id] = element
            _link(element, self.by_id)
        self.root = self.by_id[elements[0]["id"]]

    def element(self, element_id: str) -> Element | None:
        return self.by_id.get(element_id)


def compile_tree(sd: dict[str, Any]) -> Tree:
    """Link a StructureDefinition's snapshot into a `Tree`.

    Raises:
        ValueError: the definition has no snapshot.
    """
    return Tree(sd)


def _link(element: Element, by_id: dict[str, Element]) -> None:
    if element.slice_name is not None and element.id.endswith(":" + element.slice_name):
        sliced = by_id.get(element.id[: -len(element.slice_name) - 1])
        if sliced is not None:
            sliced.slices.append(element)
        return  # a re-slice whose parent slice is unknown is ignored
    if "." in element.id:
        parent = by_id.get(element.id.rsplit(".", 1)[0])
        if parent is not None:
            parent.children[element.name] = element


def _max(value: str) -> int:
    return UNBOUNDED if value == "*" else int(value)


def _constraint(definition: dict[str, Any], url: str) -> Constraint:
    best_practice = any(
        ext.get("url") == BEST_PRACTICE and ext.get("valueBoolean") is True for ext in definition.get("extension", ())
    )
    return Constraint(
        definition["key"],
        definition.get("severity", "error"),
        definition.get("human", ""),
        definition.get("expression", ""),
        best_practice,
        definition.get("source") or url,
    )


class Slot:
    """What one JSON key of an object means: its element, the type the key selects, `_name` or not."""

    __slots__ = ("element", "type", "underscore")

    def __init__(self, element: Element, type_: TypeRef | None, underscore: bool) -> None:
        self.element = element
        self.type = type_
        self.underscore = underscore


@dataclass(frozen=True, slots=True)
class Required:
    """An element with min > 0 (or a slice with min > 0) and the keys that count as its values."""

    element: Element
    keys: tuple[str, ...]


class Structure:
    """The shape of one JSON object: allowed keys, required elements, choice stems (for messages)."""

    __slots__ = ("choice_stems", "is_resource", "path", "required", "slots", "type_name")

    def __init__(
        self, type_name: str, path: str, children: Iterable[Element], is_primitive: Callable[[str], bool]
    ) -> None:
        self.type_name = type_name
        self.path = path
        self.is_resource = False
        self.slots: dict[str, Slot] = {}
        required: list[Required] = []
        stems: list[tuple[str, Element]] = []
        for child in children:
            keys: list[str] = []
            if child.is_choice:
                stems.append((child.name, child))
                for type_ in child.types:
                    keys.append(child.name + _upper_first(type_.code))
                    self._add(keys[-1], child, type_, is_primitive(type_.code))
            else:
                single = child.types[0] if len(child.types) == 1 else None
                keys.append(child.name)
                self._add(child.name, child, single, single is not None and is_primitive(single.code))
            if child.min > 0 or any(s.min > 0 for s in child.slices):
                required.append(Required(child, tuple(keys) + tuple("_" + key for key in keys)))
        self.required = tuple(required)
        self.choice_stems = tuple(stems)

    def _add(self, key: str, element: Element, type_: TypeRef | None, primitive: bool) -> None:
        self.slots[key] = Slot(element, type_, underscore=False)
        if primitive:
            self.slots["_" + key] = Slot(element, type_, underscore=True)


def _upper_first(code: str) -> str:
    return code[:1].upper() + code[1:]

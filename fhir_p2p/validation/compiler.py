"""Compiled element index: for each (element, type) the `ValueRule` a validation applies, built once and cached.

A rule says what a value of that element and type is: a primitive, a complex value with the
`Structure` of its keys (the element's own children when the snapshot has them, else the tree of
its type or of the type's profile, e.g. SimpleQuantity), a nested resource, or an extension (found
by its url at validation time, or fixed by the element's type profile). It carries the compiled
invariants (the element's and its type's), the binding worth checking and, for references, the
allowed target resource types. Trees, structures, rules, extension definitions and slice matchers
are created on first use and kept for the life of the registry: a validation only walks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from fhir_p2p.validation.bindings import BINDABLE, CHECKED_STRENGTHS
from fhir_p2p.validation.elements import Binding, Element, Structure, Tree, TypeRef, compile_tree
from fhir_p2p.validation.invariants import Invariant, InvariantCompiler
from fhir_p2p.validation.registry import HL7_STRUCTURE_DEFINITION, Registry, canonical
from fhir_p2p.validation.slicing import SliceSet, compile_slicing

ELEMENT_TYPE: Final = "Element"


class Kind(Enum):
    PRIMITIVE = "primitive"
    COMPLEX = "complex"
    RESOURCE = "resource"  # contained, Bundle.entry.resource, Parameters.parameter.resource: by resourceType
    EXTENSION = "extension"  # plain Extension: the definition is looked up by url


class ValueRule:
    """What one value of an element with a given type must satisfy."""

    __slots__ = ("binding", "extension", "invariants", "kind", "structure", "targets", "type_name")

    def __init__(self, kind: Kind, type_name: str) -> None:
        self.kind = kind
        self.type_name = type_name
        self.structure: Structure | None = None
        self.invariants: tuple[Invariant, ...] = ()
        self.binding: Binding | None = None
        self.targets: frozenset[str] | None = None  # allowed reference target types; None: any
        self.extension: ExtensionDefinition | None = None  # the extension definition the type profile names


@dataclass(frozen=True, slots=True)
class ExtensionDefinition:
    """An extension StructureDefinition, compiled: its rule and where it may be used."""

    url: str
    name: str
    rule: ValueRule
    contexts: tuple[tuple[str, str], ...]  # (context type, expression)


class Compiler:
    """Compiles the registry's StructureDefinitions on demand and keeps the results."""

    def __init__(self, registry: Registry, invariants: InvariantCompiler) -> None:
        self.registry = registry
        self._invariants = invariants
        self._trees: dict[str, Tree | None] = {}
        self._roots: dict[str, ValueRule] = {}
        self._extensions: dict[str, ExtensionDefinition | None] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._element_structure: Structure | None = None

    # -- trees and roots

    def tree(self, url: str) -> Tree | None:
        """The compiled snapshot of the StructureDefinition at `url`, or None when not in the registry."""
        key = canonical(url)
        if key not in self._trees:
            sd = self.registry.structure_definition(key)
            self._trees[key] = compile_tree(sd) if sd is not None else None
        return self._trees[key]

    def resource_rule(self, url: str) -> ValueRule | None:
        """The rule for a whole resource validated against the profile (or base definition) at `url`."""
        key = canonical(url)
        rule = self._roots.get(key)
        if rule is None:
            tree = self.tree(key)
            if tree is None:
                return None
            rule = ValueRule(Kind.COMPLEX, tree.type)
            rule.structure = self.structure(tree.root, tree.type)
            rule.structure.is_resource = True
            rule.invariants = self._compile_invariants((tree.root,), tree.type)
            self._roots[key] = rule
        return rule

    def element_structure(self) -> Structure:
        """The structure of `Element` (`id`, `extension`): what a primitive's `_name` object holds."""
        if self._element_structure is None:
            tree = self.tree(HL7_STRUCTURE_DEFINITION + ELEMENT_TYPE)
            if tree is None:
                raise LookupError("the registry has no base definition of Element (profiles/r4 missing?)")
            self._element_structure = self.structure(tree.root, ELEMENT_TYPE)
        return self._element_structure

    def structure(self, element: Element, type_name: str) -> Structure:
        """The structure of an element's own children (backbone element, expanded data type, resource root)."""
        if element.structure is None:
            element.structure = Structure(
                type_name, element.path, element.children.values(), self.registry.is_primitive_type
            )
        return element.structure

    # -- rules

    def rule(self, element: Element, type_: TypeRef | None) -> ValueRule:
        """The rule for a value of `element` whose type is `type_` (None: a contentReference element)."""
        key = type_ or _NO_TYPE
        rule = element.rules.get(key)
        if rule is None:
            rule = element.rules[key] = self._build_rule(element, type_)
        return rule

    def _build_rule(self, element: Element, type_: TypeRef | None) -> ValueRule:
        if type_ is None:
            return self._content_reference_rule(element)
        code = type_.code
        if self.registry.is_primitive_type(code):
            rule = ValueRule(Kind.PRIMITIVE, code)
            rule.invariants = self._compile_invariants((element,), code, skip=("ele-1",))
        elif code == "Resource" or self.registry.is_resource_type(code):
            rule = ValueRule(Kind.RESOURCE, code)
        elif code == "Extension" and not element.children:
            rule = self._extension_rule(element, type_)
        else:
            rule = self._complex_rule(element, type_)
        if element.binding is not None and element.binding.strength in CHECKED_STRENGTHS and code in BINDABLE:
            rule.binding = element.binding
        if code == "Reference" and type_.target_profiles:
            rule.targets = self._targets(type_.target_profiles)
        return rule

    def _content_reference_rule(self, element: Element) -> ValueRule:
        target_id = (element.content_reference or "").split("#", 1)[-1]
        target = element.tree.element(target_id)
        if target is None:
            raise LookupError(f"{element.tree.url}: contentReference {element.content_reference} not found")
        type_name = target.types[0].code if len(target.types) == 1 else "BackboneElement"
        rule = ValueRule(Kind.COMPLEX, type_name)
        rule.structure = self.structure(target, type_name)
        rule.invariants = self._compile_invariants((element, target), target.path)
        return rule

    def _complex_rule(self, element: Element, type_: TypeRef) -> ValueRule:
        code = type_.code
        rule = ValueRule(Kind.COMPLEX, code)
        type_trees = [tree for tree in (self._profile_tree(type_), self.tree(HL7_STRUCTURE_DEFINITION + code)) if tree]
        if element.children:
            rule.structure = self.structure(element, code)
            base_path = element.path if code in ("BackboneElement", "Element") else code
        elif type_trees:
            rule.structure = self.structure(type_trees[0].root, code)
            base_path = code
        else:
            raise LookupError(f"no definition of type {code} (used by {element.id})")
        roots = tuple(tree.root for tree in type_trees)
        rule.invariants = self._compile_invariants((element, *roots), base_path)
        return rule

    def _extension_rule(self, element: Element, type_: TypeRef) -> ValueRule:
        definition = self.extension(type_.profiles[0]) if type_.profiles else None
        if definition is None:
            base = self.tree(HL7_STRUCTURE_DEFINITION + "Extension")
            if base is None:
                raise LookupError("the registry has no base definition of Extension (profiles/r4 missing?)")
            rule = ValueRule(Kind.EXTENSION, "Extension")  # the definition is found by url per value
            rule.structure = self.structure(base.root, "Extension")
            rule.invariants = self._compile_invariants((element, base.root), "Extension")
            return rule
        rule = ValueRule(Kind.COMPLEX, "Extension")
        rule.structure = definition.rule.structure
        rule.extension = definition
        own = self._compile_invariants((element,), "Extension")
        rule.invariants = _merge(definition.rule.invariants, own)
        return rule

    def _profile_tree(self, type_: TypeRef) -> Tree | None:
        for profile in type_.profiles:
            tree = self.tree(profile)
            if tree is not None:
                return tree
        return None

    def _targets(self, target_profiles: tuple[str, ...]) -> frozenset[str] | None:
        names: set[str] = set()
        for profile in target_profiles:
            sd = self.registry.structure_definition(profile)
            name = sd.get("type") if sd is not None else _hl7_type_name(profile)
            if name is None:
                return None  # a target profile we cannot resolve: the type is not checked
            if name == "Resource":
                return None
            names.add(name)
        return frozenset(names)

    def _compile_invariants(
        self, elements: tuple[Element, ...], base_path: str, skip: tuple[str, ...] = ()
    ) -> tuple[Invariant, ...]:
        seen: set[str] = set()
        compiled = []
        for element in elements:
            for constraint in element.constraints:
                if constraint.key in seen or constraint.key in skip:
                    continue
                seen.add(constraint.key)
                compiled.append(self._invariants.compile(constraint, base_path))
        return tuple(compiled)

    # -- extensions, slicing, types

    def extension(self, url: str) -> ExtensionDefinition | None:
        """The compiled extension definition at `url`; None when unknown or not an extension."""
        if url not in self._extensions:
            self._extensions[url] = self._compile_extension(url)
        return self._extensions[url]

    def _compile_extension(self, url: str) -> ExtensionDefinition | None:
        tree = self.tree(url)
        if tree is None or tree.type != "Extension" or tree.sd.get("kind") != "complex-type":
            return None
        rule = ValueRule(Kind.COMPLEX, "Extension")
        rule.structure = self.structure(tree.root, "Extension")
        rule.invariants = self._compile_invariants((tree.root,), "Extension")
        contexts = tuple(
            (str(c.get("type", "element")), str(c.get("expression", ""))) for c in tree.sd.get("context", ())
        )
        return ExtensionDefinition(tree.url, str(tree.sd.get("name") or tree.url), rule, contexts)

    def has_definition(self, url: str) -> bool:
        """Whether `url` names a StructureDefinition at all (extension or not)."""
        return self.tree(url) is not None

    def slicing(self, element: Element) -> SliceSet:
        if element.compiled_slicing is None:
            element.compiled_slicing = compile_slicing(element, self.tree)
        return element.compiled_slicing

    def ancestors(self, type_name: str) -> frozenset[str]:
        """`type_name` and the types it specializes (`CodeableConcept` -> {CodeableConcept, Element})."""
        found = self._ancestors.get(type_name)
        if found is None:
            names = [type_name]
            sd: dict[str, Any] | None = self.registry.type_definition(type_name)
            while sd is not None and sd.get("baseDefinition"):
                sd = self.registry.structure_definition(sd["baseDefinition"])
                if sd is not None:
                    names.append(str(sd.get("type")))
            found = self._ancestors[type_name] = frozenset(names)
        return found


_NO_TYPE: Final = TypeRef("")


def _hl7_type_name(url: str) -> str | None:
    if url.startswith(HL7_STRUCTURE_DEFINITION):
        name = canonical(url)[len(HL7_STRUCTURE_DEFINITION) :]
        if name.isalnum():
            return name
    return None


def _merge(first: tuple[Invariant, ...], second: tuple[Invariant, ...]) -> tuple[Invariant, ...]:
    keys = {invariant.constraint.key for invariant in first}
    return first + tuple(invariant for invariant in second if invariant.constraint.key not in keys)

"""The validator: one walk of a resource over the compiled element trees, collecting located issues.

`Validator(registry).validate(resource, profile)` checks a resource against a profile (or its base
R4 definition): unknown elements and choice types, cardinality (nested, and per slice), fixed and
pattern values, slicing, required and extensible bindings, FHIRPath invariants, extensions (their
definition found by url, their context and content), reference target types; contained resources
and Bundle entries against their base definitions. It assumes the resource passed the base JSON
checks of `fhir_p2p.resources.parse` (JSON types, primitive formats) and does not repeat them.
"""

from __future__ import annotations

from typing import Any, Final

from fhir_p2p.errors import Issue
from fhir_p2p.validation import findings
from fhir_p2p.validation.bindings import check_binding
from fhir_p2p.validation.compiler import Compiler, Kind, ValueRule
from fhir_p2p.validation.elements import MISSING, Element, Structure, TypeRef
from fhir_p2p.validation.extensions import Host, check_context
from fhir_p2p.validation.invariants import InvariantCompiler, InvariantError
from fhir_p2p.validation.references import check_reference
from fhir_p2p.validation.registry import HL7_STRUCTURE_DEFINITION, Registry
from fhir_p2p.validation.scope import Scope
from fhir_p2p.validation.values import contains, items, same_json
from fhir_p2p.validation.valuesets import Terminology

_EXTENSION_KEYS: Final = frozenset({"extension", "modifierExtension"})


class Validator:
    """Validates resources against the registry's profiles. Build one at start-up and share it.

    Args:
        registry: the conformance resources.
        best_practice: also report best-practice invariants (`dom-6`: a resource should have a
            narrative) as warnings; off by default.
    """

    def __init__(self, registry: Registry, *, best_practice: bool = False) -> None:
        self.registry = registry
        self.best_practice = best_practice
        self.terminology = Terminology(registry)
        self.compiler = Compiler(registry, InvariantCompiler())

    def validate(self, resource: dict[str, Any], profile: str | None = None) -> list[Issue]:
        """Validate `resource` against `profile` (a canonical URL, `|version` allowed) or its base type.

        Args:
            resource: the parsed JSON resource; never modified.
            profile: a StructureDefinition URL in the registry; None for the base R4 definition.
        Returns:
            Every issue found (errors, warnings, information), each with a FHIRPath and a `val-` rule id.
        """
        resource_type = resource.get("resourceType")
        if not isinstance(resource_type, str):
            return [findings.wrong_shape("the resource", "a JSON object with a resourceType")]
        if profile is None:
            rule = self.compiler.resource_rule(HL7_STRUCTURE_DEFINITION + resource_type)
            if rule is None:
                return [findings.not_validated(resource_type, resource_type)]
        else:
            sd = self.registry.structure_definition(profile)
            if sd is None:
                return [findings.unknown_profile(profile, resource_type)]
            if sd.get("type") != resource_type or sd.get("kind") != "resource":
                return [findings.profile_for_other_type(profile, sd.get("type"), resource_type)]
            rule = self.compiler.resource_rule(profile)
            assert rule is not None
        walk = _Walk(self, resource)
        walk.resource(resource, rule, resource_type, contained=False)
        return walk.issues

    def warm(self, profiles: tuple[str, ...] | None = None) -> None:
        """Compile the rules of profiles before the first request, so no request pays for it (~20 ms each).

        Args:
            profiles: StructureDefinition URLs; None: every resource profile and base resource
                definition in the registry.
        """
        if profiles is None:
            profiles = tuple(
                sd["url"] for sd in (*self.registry.own, *self.registry.base) if sd.get("kind") == "resource"
            )
        seen: set[int] = set()
        for url in profiles:
            rule = self.compiler.resource_rule(url)
            if rule is not None and rule.structure is not None:
                self._warm_structure(rule.structure, seen)

    def _warm_structure(self, structure: Structure, seen: set[int]) -> None:
        if id(structure) in seen:
            return
        seen.add(id(structure))
        for slot in structure.slots.values():
            for element in (slot.element, *slot.element.slices):
                type_ = slot.type if element is slot.element or not element.types else element.types[0]
                rule = self.compiler.rule(element, type_)
                if element.slicing is not None and element.slices:
                    self.compiler.slicing(element)
                if rule.structure is not None:
                    self._warm_structure(rule.structure, seen)


class _Walk:
    """The state of one validation: issues so far, the current resource scope, Bundle fullUrls."""

    __slots__ = ("best_practice", "compiler", "issues", "registry", "scope", "terminology", "urns")

    def __init__(self, validator: Validator, root: dict[str, Any]) -> None:
        self.compiler = validator.compiler
        self.registry = validator.registry
        self.terminology = validator.terminology
        self.best_practice = validator.best_practice
        self.issues: list[Issue] = []
        self.scope = Scope(root, root)
        self.urns: dict[str, str] = {}

    # -- resources and objects

    def resource(self, resource: dict[str, Any], rule: ValueRule, expression: str, *, contained: bool) -> None:
        outer = self.scope
        self.scope = Scope(resource, outer.root_resource if contained else resource)
        resource_type = str(resource.get("resourceType"))
        if resource_type == "Bundle":
            self._register_full_urls(resource)
        assert rule.structure is not None
        self.object(resource, rule.structure, expression, resource_type, None)
        if rule.invariants:
            self.invariants(resource, rule, expression)
        self.scope = outer

    def object(
        self, obj: dict[str, Any], structure: Structure, expression: str, path: str, extension_url: str | None
    ) -> None:
        """Check each key of `obj` against `structure`, then the required elements."""
        slots = structure.slots
        compiler = self.compiler
        issues = self.issues
        for key, raw in obj.items():
            slot = slots.get(key)
            if slot is None:
                if key != "resourceType" or not structure.is_resource:
                    self.unknown_key(key, structure, expression)
                continue
            element = slot.element
            here = f"{expression}.{key}"
            child_path = f"{path}.{element.segment}"
            if slot.underscore:
                self.primitive_extensions(raw, here, child_path)
                continue
            host = None
            if element.name in _EXTENSION_KEYS:
                host = Host(path, structure.path, structure.type_name, extension_url)
            type_ = slot.type
            rule = element.rules.get(type_) if type_ is not None else None
            if rule is None:
                rule = compiler.rule(element, type_)
            if element.is_array:
                if type(raw) is not list:
                    issues.append(findings.wrong_shape(here, "an array"))
                    continue
                if len(raw) > element.max:
                    issues.append(findings.too_many(element, len(raw), here))
                if element.slices and element.slicing is not None:
                    self.sliced(raw, element, type_, rule, here, child_path, host)
                else:
                    for index, item in enumerate(raw):
                        self.value(item, element, rule, f"{here}[{index}]", child_path, host)
            elif type(raw) is list:
                issues.append(findings.wrong_shape(here, "a single value, not an array"))
            else:
                if element.max == 0:
                    issues.append(findings.too_many(element, 1, here))
                self.value(raw, element, rule, here, child_path, host)
        if structure.required:
            self.required(obj, structure, expression)

    def required(self, obj: dict[str, Any], structure: Structure, expression: str) -> None:
        """Each element with min > 0 (or a slice with min > 0) has enough values."""
        for required in structure.required:
            element = required.element
            count = 0
            for key in required.keys:
                present = obj.get(key)
                if present is not None:
                    count = max(count, len(present) if type(present) is list else 1)
            if count == 0 and element.is_choice and _has_choice_key(obj, element.name):
                continue  # a value of a type not allowed here: reported as such, not as missing
            here = f"{expression}.{element.name}"
            if count < element.min:
                self.issues.append(findings.too_few(element, count, here))
            if count == 0:
                for slice_element in element.slices:
                    issue = findings.slice_count(slice_element, 0, here)
                    if issue is not None:
                        self.issues.append(issue)

    def value(
        self, item: Any, element: Element, rule: ValueRule, expression: str, path: str, host: Host | None
    ) -> None:
        """Check one value of `element`: fixed, pattern, binding, then its content and invariants."""
        if element.fixed is not MISSING and not same_json(item, element.fixed):
            self.issues.append(findings.fixed_value(element, expression))
        if element.pattern is not MISSING and not contains(item, element.pattern):
            self.issues.append(findings.pattern_value(element, expression))
        if rule.binding is not None:
            check_binding(self.terminology, rule.binding, rule.type_name, item, expression, self.issues)
        kind = rule.kind
        if kind is Kind.PRIMITIVE:
            if rule.invariants:
                self.invariants(item, rule, expression)
            return
        if type(item) is not dict:
            self.issues.append(findings.wrong_shape(expression, "a JSON object"))
            return
        if kind is Kind.RESOURCE:
            self.nested_resource(item, element, expression)
            return
        extension_url = None
        if kind is Kind.EXTENSION or rule.extension is not None:
            assert host is not None
            rule = self.extension_rule(item, element, rule, expression, host)
            if rule.kind is not Kind.EXTENSION:  # a known extension: it is the host of its sub-extensions
                extension_url = item.get("url")
        elif rule.targets is not None:
            check_reference(
                item,
                rule.targets,
                expression,
                self.scope.root_resource,
                self.registry.is_resource_type,
                self.urns.get,
                self.issues,
            )
        if rule.structure is not None:
            self.object(item, rule.structure, expression, path, extension_url)
        if rule.invariants:
            self.invariants(item, rule, expression)

    def primitive_extensions(self, raw: Any, expression: str, path: str) -> None:
        """A primitive's `_name` (or `_name` array): an Element with `id` and `extension`."""
        structure = self.compiler.element_structure()
        if type(raw) is list:
            for index, item in enumerate(raw):
                if type(item) is dict:
                    self.object(item, structure, f"{expression}[{index}]", path, None)
                elif item is not None:
                    self.issues.append(findings.wrong_shape(f"{expression}[{index}]", "a JSON object or null"))
        elif type(raw) is dict:
            self.object(raw, structure, expression, path, None)
        else:
            self.issues.append(findings.wrong_shape(expression, "a JSON object"))

    def nested_resource(self, item: dict[str, Any], element: Element, expression: str) -> None:
        resource_type = item.get("resourceType")
        if not isinstance(resource_type, str):
            self.issues.append(findings.wrong_shape(expression, "a resource with a resourceType"))
            return
        rule = self.compiler.resource_rule(HL7_STRUCTURE_DEFINITION + resource_type)
        if rule is None:
            self.issues.append(findings.not_validated(resource_type, expression))
            return
        self.resource(item, rule, expression, contained=element.name == "contained")

    # -- extensions

    def extension_rule(
        self, item: dict[str, Any], element: Element, rule: ValueRule, expression: str, host: Host
    ) -> ValueRule:
        """The rule for one extension: the one its definition gives (by url, or by the slice's type profile)."""
        definition = rule.extension
        if definition is None:
            url = item.get("url")
            definition = self.compiler.extension(url) if isinstance(url, str) else None
            if definition is None:
                # relative urls are parts of a complex extension; inside an unknown one they say nothing
                if isinstance(url, str) and (":" in url or host.extension_url is not None):
                    if self.compiler.has_definition(url):
                        self.issues.append(findings.not_an_extension(url, expression))
                    else:
                        modifier = element.name == "modifierExtension"
                        self.issues.append(findings.unknown_extension(url, expression, modifier=modifier))
                return rule  # checked as a plain Extension
            rule = definition.rule
        check_context(definition, host, self.compiler.ancestors, expression, self.issues)
        return rule

    # -- slices

    def sliced(
        self,
        items: list[Any],
        element: Element,
        type_: TypeRef | None,
        rule: ValueRule,
        expression: str,
        path: str,
        host: Host | None,
    ) -> None:
        """Assign each item to a slice, check it against that slice, then the slice counts and order."""
        slice_set = self.compiler.slicing(element)
        assigned = slice_set.assign(items)
        problems = slice_set.problems
        counts = [0] * len(slice_set.matchers)
        for index, item in enumerate(items):
            position = assigned[index]
            here = f"{expression}[{index}]"
            if position < 0:
                if slice_set.rules == "closed" and not problems:
                    self.issues.append(findings.slice_unmatched(element, here))
                self.value(item, element, rule, here, path, host)
                continue
            counts[position] += 1
            slice_element = slice_set.matchers[position].element
            slice_type = type_ if type_ in slice_element.types or not slice_element.types else slice_element.types[0]
            self.value(item, slice_element, self.compiler.rule(slice_element, slice_type), here, path, host)
        for position, matcher in enumerate(slice_set.matchers):
            issue = findings.slice_count(matcher.element, counts[position], expression) if not matcher.problem else None
            if issue is not None:
                self.issues.append(issue)
        if problems:
            self.issues.append(findings.slicing_not_evaluated(element, problems, expression))
        if slice_set.ordered or slice_set.rules == "openAtEnd":
            self.slice_order(assigned, slice_set.ordered, slice_set.rules == "openAtEnd", expression, element)

    def slice_order(
        self, assigned: list[int], ordered: bool, open_at_end: bool, expression: str, element: Element
    ) -> None:
        last = -1
        seen_unmatched = False
        for index, position in enumerate(assigned):
            if position < 0:
                seen_unmatched = True
                continue
            if (ordered and position < last) or (open_at_end and seen_unmatched):
                self.issues.append(findings.slice_order(element, f"{expression}[{index}]"))
                return
            last = position

    # -- invariants and unknown keys

    def invariants(self, value: Any, rule: ValueRule, expression: str) -> None:
        scope = self.scope
        for invariant in rule.invariants:
            constraint = invariant.constraint
            if constraint.best_practice and not self.best_practice:
                continue
            try:
                if invariant.holds(value, scope):
                    continue
            except InvariantError as error:
                self.issues.append(findings.invariant_not_evaluated(constraint, str(error), expression))
                continue
            self.issues.append(findings.invariant_failed(constraint, expression))

    def unknown_key(self, key: str, structure: Structure, expression: str) -> None:
        name = key[1:] if key.startswith("_") else key
        for stem, element in structure.choice_stems:
            if name.startswith(stem) and name[len(stem) : len(stem) + 1].isupper():
                suffix = name[len(stem) :]
                lowered = suffix[:1].lower() + suffix[1:]
                shown = lowered if self.registry.is_primitive_type(lowered) else suffix
                self.issues.append(findings.choice_type(element, shown, f"{expression}.{key}"))
                return
        self.issues.append(findings.unknown_element(structure, f"{expression}.{key}"))

    def _register_full_urls(self, bundle: dict[str, Any]) -> None:
        for entry in items(bundle.get("entry")):
            if not isinstance(entry, dict):
                continue
            full_url, resource = entry.get("fullUrl"), entry.get("resource")
            if isinstance(full_url, str) and isinstance(resource, dict):
                resource_type = resource.get("resourceType")
                if isinstance(resource_type, str):
                    self.urns[full_url] = resource_type


def _has_choice_key(obj: dict[str, Any], stem: str) -> bool:
    return any(key.startswith(stem) and key[len(stem) : len(stem) + 1].isupper() for key in obj)
